import { Injectable } from '@nestjs/common';
import { readableKnowledgeBaseIds, type AuthContext } from '../auth';
import { InvalidInputError, NotFoundError } from '../common';
import type { SearchRequestDto, SearchResponseDto } from './dto/search.dto';
import { mapSearchHit } from './dto/search.dto';
import { RetrievalEngine } from './store/retrieval.engine';
import type { DocumentToIndex } from './store/retrieval.types';
import { RetrievalRepository } from './store/retrieval.repository';
import { InvalidSearchError } from './retrieval.errors';
import type { Embedder } from './embed/embedder';
import { indexText } from './rank/memory-index';

/**
 * Search and indexing for the app. Authorise (the key's readable knowledge bases go into the query),
 * validate, search, map. The documents module calls indexDocument when a document is ready and
 * removeDocument when it is deleted.
 */
@Injectable()
export class RetrievalService {
  constructor(
    private readonly engine: RetrievalEngine,
    private readonly repository: RetrievalRepository,
  ) {}

  get embedderId(): string {
    return this.engine.embedder.id;
  }

  async search(auth: AuthContext, dto: SearchRequestDto): Promise<SearchResponseDto> {
    const readable = readableKnowledgeBaseIds(auth);
    if (dto.knowledgeBases?.length) {
      // A knowledge base the key may not read is reported like one that does not exist: no leak.
      const found = new Set(await this.repository.readableKnowledgeBases(dto.knowledgeBases, readable));
      const missing = dto.knowledgeBases.filter((id) => !found.has(id));
      if (missing.length) throw new NotFoundError(`knowledge base ${missing[0]} not found (or this key may not read it)`);
    }
    const mode = dto.mode ?? 'hybrid';
    try {
      const hits = await this.engine.search({
        query: dto.query,
        mode,
        k: dto.k ?? 10,
        scope: { readableKnowledgeBaseIds: readable, knowledgeBaseIds: dto.knowledgeBases ?? null, documentIds: dto.documents ?? null, tags: dto.tags ?? null },
      });
      return { mode, embedder: this.engine.embedder.id, results: hits.map(mapSearchHit) };
    } catch (e) {
      if (e instanceof InvalidSearchError) throw new InvalidInputError(e.message, e.field ? [{ field: e.field, message: e.message }] : undefined);
      throw e;
    }
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
   * base's. Resumable: a batch only picks chunks whose vectors another embedder made.
   */
  async reembedKnowledgeBase(knowledgeBaseId: string, embedder: Embedder, progress: (done: number, total: number) => void = () => {}, signal?: AbortSignal): Promise<number> {
    const kb = await this.repository.knowledgeBaseEmbedder(knowledgeBaseId);
    if (!kb) throw new NotFoundError(`knowledge base ${knowledgeBaseId} has no indexed chunks`);
    await this.repository.ensureVectorIndex(embedder.id, embedder.dimension);
    let done = 0;
    for (;;) {
      signal?.throwIfAborted();
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
}
