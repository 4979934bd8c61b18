export type SearchMode = 'hybrid' | 'vector' | 'lexical';

export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'vector', 'lexical'];

export interface FusionOptions {
  /** RRF constant (default 60). */
  rrfK?: number;
  vectorWeight?: number;
  lexicalWeight?: number;
  /** Weight of the list of candidates holding an answer of the kind the question asks for (default 1; 0 turns it off). */
  answerTypeWeight?: number;
  /** How many results each retriever contributes to fusion (default 100). */
  candidates?: number;
}
