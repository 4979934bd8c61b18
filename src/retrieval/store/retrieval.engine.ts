import type { Embedder } from '../embed/embedder';
import { indexText } from '../rank/memory-index';
import { reciprocalRankFusion } from '../rank/fusion';
import type { Reranker } from '../rerank/reranker';
import { rerank } from '../rerank/reranker';
import { SEARCH_MODES, type FusionOptions, type SearchMode } from '../rank/search-options';
import { InvalidSearchError } from '../retrieval.errors';
import { analyze } from '../text/lexical-analyzer';
import type { EmbeddedDocument, RetrievalRepository } from './retrieval.repository';
import type { DocumentToIndex, IndexedHit, SearchScope } from './retrieval.types';

export const MAX_QUERY_CHARS = 2000;
export const MAX_K = 100;

export interface SearchRequest {
  query: string;
  mode?: SearchMode;
  k?: number;
  scope: SearchScope;
  fusion?: FusionOptions;
  /** Rerank the fused top `rerankTop` (default 50) with this cross-encoder. */
  reranker?: Reranker | null;
  rerankTop?: number;
}

export interface SearchHit extends IndexedHit {
  /** 1-based rank in the lexical and vector lists (hybrid), for explaining a result. */
  ranks?: { lexical: number | null; vector: number | null };
}

/**
 * Indexing and search over the database: the same analyser, embedder input (context + text) and
 * fusion as the in-memory harness. Queries are embedded by the active embedder and matched only
 * against vectors it made; chunks still carrying another embedder's vectors wait for re-embedding.
 */
export class RetrievalEngine {
  constructor(
    private readonly repository: RetrievalRepository,
    readonly embedder: Embedder,
  ) {}

  async indexDocument(doc: DocumentToIndex): Promise<void> {
    await this.repository.indexDocument(await this.prepare(doc));
    await this.repository.refreshStatisticsIfGrown();
  }

  /** The slow part of indexing (analysis and embedding), done before any transaction opens. */
  async prepare(doc: DocumentToIndex, signal?: AbortSignal, batchSize = 64): Promise<EmbeddedDocument> {
    const texts = doc.chunks.map(indexText);
    const embeddings: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      signal?.throwIfAborted();
      embeddings.push(...(await this.embedder.embedBatch(texts.slice(i, i + batchSize), 'passage')));
    }
    return { ...doc, embedderId: this.embedder.id, terms: texts.map(analyze), embeddings };
  }

  async removeDocument(documentId: string): Promise<number> {
    return this.repository.removeDocument(documentId);
  }

  async search(request: SearchRequest): Promise<SearchHit[]> {
    const { query, mode, k } = validateSearch(request);
    const fusion = request.fusion ?? {};
    const candidates = Math.max(k, fusion.candidates ?? 100);
    const lexical = () => this.repository.lexicalSearch(analyze(query), request.scope, candidates);
    const vector = async () => {
      const [v] = await this.embedder.embedBatch([query], 'query');
      return this.repository.vectorSearch(v, this.embedder.id, request.scope, candidates);
    };
    let hits: SearchHit[];
    if (mode === 'lexical') hits = await lexical();
    else if (mode === 'vector') hits = await vector();
    else {
      // Sequential, not Promise.all: the embedded database serves one statement at a time anyway.
      const v = await vector();
      const l = await lexical();
      const byId = new Map<string, IndexedHit>([...v, ...l].map((h) => [h.chunkId, h]));
      hits = reciprocalRankFusion(
        [
          { items: v.map((h) => h.chunkId), weight: fusion.vectorWeight ?? 1 },
          { items: l.map((h) => h.chunkId), weight: fusion.lexicalWeight ?? 1 },
        ],
        fusion.rrfK,
      ).map((f) => ({ ...byId.get(f.key)!, score: f.score, ranks: { vector: f.ranks[0], lexical: f.ranks[1] } }));
    }
    if (request.reranker && hits.length) {
      const top = hits.slice(0, Math.max(k, request.rerankTop ?? 50));
      hits = (await rerank(request.reranker, query, top, (h) => indexText(h))).map(({ item, score }) => ({ ...item, score }));
    }
    return hits.slice(0, k).map((h) => ({ ...h, score: Number(h.score) }));
  }
}

/** Bad requests become InvalidSearchError (a 400), never a database error. */
export function validateSearch(r: SearchRequest): { query: string; mode: SearchMode; k: number } {
  const query = typeof r.query === 'string' ? r.query.trim() : '';
  if (!query) throw new InvalidSearchError('query must not be empty', 'query');
  if (query.length > MAX_QUERY_CHARS) throw new InvalidSearchError(`query is ${query.length} characters; the limit is ${MAX_QUERY_CHARS}`, 'query');
  const k = r.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new InvalidSearchError(`k must be an integer from 1 to ${MAX_K}, got ${k}`, 'k');
  const mode = r.mode ?? 'hybrid';
  if (!SEARCH_MODES.includes(mode)) throw new InvalidSearchError(`mode must be one of ${SEARCH_MODES.join(', ')}, got ${String(mode)}`, 'mode');
  return { query, mode, k };
}
