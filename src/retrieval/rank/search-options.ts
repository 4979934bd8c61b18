export type SearchMode = 'hybrid' | 'vector' | 'lexical';

export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'vector', 'lexical'];

export interface FusionOptions {
  /** RRF constant (default 60). */
  rrfK?: number;
  vectorWeight?: number;
  lexicalWeight?: number;
  /** How many results each retriever contributes to fusion (default 100). */
  candidates?: number;
}
