import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { readableKnowledgeBaseIds, type AuthContext } from '../auth';
import { ConflictError, InvalidInputError, NotFoundError } from '../common';
import { JobName, JobQueue } from '../jobs';
import type { SearchRequestDto, SearchResponseDto } from './dto/search.dto';
import { mapSearchHit } from './dto/search.dto';
import type { KnowledgeBaseEmbedderDto } from './dto/embedder.dto';
import { RetrievalEngine } from './store/retrieval.engine';
import type { DocumentToIndex } from './store/retrieval.types';
import { RetrievalRepository } from './store/retrieval.repository';
import { InvalidSearchError } from './retrieval.errors';
import type { Embedder } from './embed/embedder';
import type { Reranker } from './rerank/reranker';
import { indexText } from './rank/memory-index';
import { RERANKER } from './retrieval.tokens';

export const RERANK_NOT_CONFIGURED =
  'reranking needs a cross-encoder: set RETRIEVAL_RERANKER_DIR to a folder with model.onnx, tokenizer.json and reranker.json (an ONNX export of bge-reranker or an ms-marco MiniLM cross-encoder) and restart';

/**
 * Search and indexing for the app. Authorise (the key's readable knowledge bases go into the query),
 * validate, search, map. The documents module indexes through RetrievalChunkIndexer; a knowledge
 * base's embedder changes through changeEmbedder, which queues the re-embedding job.
 */
@Injectable()
export class RetrievalService implements OnModuleDestroy {
  constructor(
    private readonly engine: RetrievalEngine,
    private readonly repository: RetrievalRepository,
    // Explicit tokens: decorator metadata of a union-typed parameter does not name the class.
    @Optional() @Inject(JobQueue) private readonly jobs: JobQueue | null = null,
    @Optional() @Inject(RERANKER) private readonly reranker: Reranker | null = null,
  ) {}

  /** The embedder new knowledge bases get. */
  get embedderId(): string {
    return this.engine.embedder.id;
  }

  async search(auth: AuthContext, dto: SearchRequestDto): Promise<SearchResponseDto> {
    const readable = readableKnowledgeBaseIds(auth);
    if (dto.knowledgeBases?.length) await this.assertReadable(readable, dto.knowledgeBases);
    if (dto.rerank && !this.reranker) throw new InvalidInputError(RERANK_NOT_CONFIGURED, [{ field: 'rerank', message: RERANK_NOT_CONFIGURED }]);
    const mode = dto.mode ?? 'hybrid';
    try {
      const { hits, embedders } = await this.engine.searchWithEmbedders({
        query: dto.query,
        mode,
        k: dto.k ?? 10,
        scope: { readableKnowledgeBaseIds: readable, knowledgeBaseIds: dto.knowledgeBases ?? null, documentIds: dto.documents ?? null, tags: dto.tags ?? null },
        reranker: dto.rerank ? this.reranker : null,
      });
      return {
        mode,
        embedder: embedders[0] ?? this.engine.embedder.id,
        embedders,
        reranker: dto.rerank ? this.reranker!.id : null,
        results: hits.map(mapSearchHit),
      };
    } catch (e) {
      if (e instanceof InvalidSearchError) throw new InvalidInputError(e.message, e.field ? [{ field: e.field, message: e.message }] : undefined);
      throw e;
    }
  }

  /** A knowledge base the key may not read is reported like one that does not exist: no leak. */
  private async assertReadable(readable: readonly string[] | null, ids: readonly string[]): Promise<void> {
    const found = new Set(await this.repository.readableKnowledgeBases(ids, readable));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new NotFoundError(`knowledge base ${missing[0]} not found (or this key may not read it)`);
  }

  async knowledgeBaseEmbedder(auth: AuthContext, knowledgeBaseId: string): Promise<KnowledgeBaseEmbedderDto> {
    await this.assertReadable(readableKnowledgeBaseIds(auth), [knowledgeBaseId]);
    const state = await this.repository.knowledgeBaseEmbedder(knowledgeBaseId);
    return {
      knowledgeBaseId,
      embedder: state?.embedderId ?? this.engine.embedder.id,
      pendingEmbedder: state?.pendingEmbedderId ?? null,
      available: this.engine.embedders.ids,
    };
  }

  /**
   * Switches a knowledge base to another loaded embedder. One with no chunks switches at once; one
   * with chunks records the target as pending and queues JobName.ReembedKnowledgeBase. Until that
   * job ends, new documents are embedded with the target and vector search queries both embedders
   * (each chunk is found through whichever embedder's vectors it has at that moment).
   */
  async changeEmbedder(auth: AuthContext, knowledgeBaseId: string, embedderId: string): Promise<KnowledgeBaseEmbedderDto> {
    await this.assertReadable(readableKnowledgeBaseIds(auth), [knowledgeBaseId]);
    const embedder = this.engine.embedders.get(embedderId);
    if (!embedder) {
      const message = `unknown embedder "${embedderId}"; this server has loaded ${this.engine.embedders.ids.join(', ')} (RETRIEVAL_EMBEDDER_DIR adds an ONNX encoder)`;
      throw new InvalidInputError(message, [{ field: 'embedder', message }]);
    }
    const before = await this.repository.knowledgeBaseEmbedder(knowledgeBaseId);
    if (before?.pendingEmbedderId === embedderId) throw new ConflictError(`knowledge base ${knowledgeBaseId} is already being re-embedded with "${embedderId}"`);
    if (!this.jobs && before && before.chunks > 0) throw new Error('the job queue is not available in this process; re-embedding needs it');
    await this.engine.ensureVectorIndex(embedder);
    const outcome = await this.repository.startEmbedderSwitch(knowledgeBaseId, embedderId);
    const job = outcome === 'pending' ? await this.jobs!.enqueue(JobName.ReembedKnowledgeBase, { knowledgeBaseId, embedderId }) : null;
    return { ...(await this.knowledgeBaseEmbedder(auth, knowledgeBaseId)), jobId: job?.id ?? null };
  }

  indexDocument(doc: DocumentToIndex): Promise<void> {
    return this.engine.indexDocument(doc);
  }

  removeDocument(documentId: string): Promise<number> {
    return this.engine.removeDocument(documentId);
  }

  /**
   * Re-embeds a knowledge base with `embedder` in batches (the body of the re-embedding job): makes
   * its HNSW index, rewrites vectors batch by batch, then records the embedder as the knowledge
   * base's. Resumable: a batch only picks chunks whose vectors another embedder made. Stops early
   * (leaving the newer job to finish) when another switch has replaced this one.
   */
  async reembedKnowledgeBase(knowledgeBaseId: string, embedder: Embedder, progress: (done: number, total: number) => void = () => {}, signal?: AbortSignal): Promise<number> {
    const kb = await this.repository.knowledgeBaseEmbedder(knowledgeBaseId);
    if (!kb) throw new NotFoundError(`knowledge base ${knowledgeBaseId} has no indexed chunks`);
    await this.engine.ensureVectorIndex(embedder);
    let done = 0;
    for (;;) {
      signal?.throwIfAborted();
      const now = await this.repository.knowledgeBaseEmbedder(knowledgeBaseId);
      if (now?.pendingEmbedderId && now.pendingEmbedderId !== embedder.id) return done;
      const batch = await this.repository.chunksToReembed(knowledgeBaseId, embedder.id, 64);
      if (!batch.length) break;
      const vectors = await embedder.embedBatch(batch.map(indexText), 'passage');
      await this.repository.updateEmbeddings(knowledgeBaseId, embedder.id, batch.map((b) => b.chunkId), vectors);
      done += batch.length;
      progress(done, kb.chunks);
    }
    await this.repository.setKnowledgeBaseEmbedder(knowledgeBaseId, embedder.id);
    return done;
  }

  async onModuleDestroy(): Promise<void> {
    await this.engine.embedders.dispose();
    await this.reranker?.dispose?.();
  }
}
