import type { Embedder } from '../embed/embedder';
import { EmbedderSet } from '../embed/embedder-set';
import { indexText } from '../rank/memory-index';
import { reciprocalRankFusion } from '../rank/fusion';
import { hybridFusion } from '../rank/hybrid-fusion';
import type { Reranker } from '../rerank/reranker';
import { rerank } from '../rerank/reranker';
import { SEARCH_MODES, type FusionOptions, type SearchMode } from '../rank/search-options';
import { EmbedderUnavailableError, InvalidSearchError } from '../retrieval.errors';
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

export interface SearchOutcome {
  hits: SearchHit[];
  /** The embedders whose vectors were searched (none in lexical mode). */
  embedders: string[];
}

/**
 * Indexing and search over the database: the same analyser, embedder input (context + text) and
 * fusion as the in-memory harness. Each knowledge base has its embedder (recorded with its first
 * chunks: the primary embedder of the day); a query is embedded by every embedder whose vectors
 * are in scope and matched only against that embedder's vectors.
 */
export class RetrievalEngine {
  readonly embedders: EmbedderSet;
  private readonly indexed = new Set<string>();

  constructor(
    private readonly repository: RetrievalRepository,
    embedders: Embedder | EmbedderSet,
  ) {
    this.embedders = embedders instanceof EmbedderSet ? embedders : new EmbedderSet(embedders);
  }

  /** The embedder new knowledge bases get. */
  get embedder(): Embedder {
    return this.embedders.primary;
  }

  async indexDocument(doc: DocumentToIndex): Promise<void> {
    await this.repository.indexDocument(await this.prepare(doc));
    await this.repository.refreshStatisticsIfGrown();
  }

  /**
   * The slow part of indexing (analysis and embedding), done before any transaction opens. Chunks
   * are embedded with the knowledge base's embedder, or the one it is switching to.
   */
  async prepare(doc: DocumentToIndex, signal?: AbortSignal, batchSize = 64): Promise<EmbeddedDocument> {
    const embedder = await this.embedderForIndexing(doc.knowledgeBaseId);
    const texts = doc.chunks.map(indexText);
    const embeddings: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      signal?.throwIfAborted();
      embeddings.push(...(await embedder.embedBatch(texts.slice(i, i + batchSize), 'passage')));
    }
    return { ...doc, embedderId: embedder.id, terms: texts.map(analyze), embeddings };
  }

  async embedderForIndexing(knowledgeBaseId: string): Promise<Embedder> {
    const state = await this.repository.knowledgeBaseEmbedder(knowledgeBaseId);
    const id = state ? (state.pendingEmbedderId ?? state.embedderId) : this.embedders.primary.id;
    const embedder = this.embedders.get(id);
    if (!embedder) throw new EmbedderUnavailableError(knowledgeBaseId, id, this.embedders.ids);
    await this.ensureVectorIndex(embedder);
    return embedder;
  }

  /** Each embedder's partial HNSW index, made once per process the first time it is needed. */
  async ensureVectorIndex(embedder: Embedder): Promise<void> {
    if (this.indexed.has(embedder.id)) return;
    await this.repository.ensureVectorIndex(embedder.id, embedder.dimension);
    this.indexed.add(embedder.id);
  }

  async removeDocument(documentId: string): Promise<number> {
    return this.repository.removeDocument(documentId);
  }

  async search(request: SearchRequest): Promise<SearchHit[]> {
    return (await this.searchWithEmbedders(request)).hits;
  }

  async searchWithEmbedders(request: SearchRequest): Promise<SearchOutcome> {
    const { query, mode, k } = validateSearch(request);
    const fusion = request.fusion ?? {};
    const candidates = Math.max(k, fusion.candidates ?? 100);
    const embedders: string[] = [];
    const lexical = () => this.repository.lexicalSearch(analyze(query), request.scope, candidates);
    const vector = async () => {
      // Several embedders only while a knowledge base switches, or when knowledge bases of different
      // embedders are searched together: cosines of two embedders are not comparable, so ranks are fused.
      const lists: IndexedHit[][] = [];
      for (const id of await this.repository.embeddersInScope(request.scope)) {
        const embedder = this.embedders.get(id);
        if (!embedder) continue; // its knowledge bases are searchable lexically until re-embedded
        const [v] = await embedder.embedBatch([query], 'query');
        lists.push(await this.repository.vectorSearch(v, id, request.scope, candidates));
        embedders.push(id);
      }
      return lists.length === 1 ? lists[0] : fuse(lists, fusion.rrfK);
    };
    let hits: SearchHit[];
    if (mode === 'lexical') hits = await lexical();
    else if (mode === 'vector') hits = await vector();
    else {
      // Sequential, not Promise.all: the embedded database serves one statement at a time anyway.
      const v = await vector();
      const l = await lexical();
      const byId = new Map<string, IndexedHit>([...l, ...v].map((h) => [h.chunkId, h]));
      hits = hybridFusion(query, v.map((h) => h.chunkId), l.map((h) => h.chunkId), (id) => byId.get(id)!.text, fusion).map((f) => ({
        ...byId.get(f.key)!,
        score: f.score,
        ranks: { vector: f.ranks[0], lexical: f.ranks[1] },
      }));
    }
    if (request.reranker && hits.length) {
      const top = hits.slice(0, Math.max(k, request.rerankTop ?? 50));
      hits = (await rerank(request.reranker, query, top, (h) => indexText(h))).map(({ item, score }) => ({ ...item, score }));
    }
    return { hits: hits.slice(0, k).map((h) => ({ ...h, score: Number(h.score) })), embedders };
  }
}

/** Reciprocal rank fusion of the vector lists of several embedders; the fused score replaces the cosines. */
function fuse(lists: ReadonlyArray<readonly IndexedHit[]>, rrfK?: number): IndexedHit[] {
  const byId = new Map<string, IndexedHit>();
  for (const l of lists) for (const h of l) if (!byId.has(h.chunkId)) byId.set(h.chunkId, h);
  return reciprocalRankFusion(
    lists.map((l) => ({ items: l.map((h) => h.chunkId) })),
    rrfK,
  ).map((f) => ({ ...byId.get(f.key)!, score: f.score }));
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
