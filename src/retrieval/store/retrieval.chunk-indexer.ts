import type { EntityManager } from 'typeorm';
import type { EmbeddedDocument, RetrievalRepository } from './retrieval.repository';
import type { RetrievalEngine } from './retrieval.engine';

/** The shapes the documents module hands over (structurally its IndexableDocument / IndexableChunk). */
export interface ChunkFromDocuments {
  id: string;
  ordinal: number;
  text: string;
  context: string;
  provenance: Record<string, unknown>;
}

export interface DocumentFromDocuments {
  knowledgeBaseId: string;
  documentId: string;
  documentName: string;
  tags?: readonly string[];
  chunks: readonly ChunkFromDocuments[];
}

/**
 * The retrieval index as the documents module's ChunkIndexer (src/documents/chunk-indexer.ts, matched
 * by shape: retrieval does not import documents). `prepare` embeds outside any transaction; `index`
 * and `remove` write through the caller's transaction manager, so a document's chunks become
 * searchable exactly when it becomes ready.
 */
export class RetrievalChunkIndexer {
  constructor(
    private readonly engine: RetrievalEngine,
    private readonly repository: RetrievalRepository,
  ) {}

  prepare(document: DocumentFromDocuments, signal?: AbortSignal): Promise<EmbeddedDocument> {
    return this.engine.prepare(
      {
        knowledgeBaseId: document.knowledgeBaseId,
        documentId: document.documentId,
        documentName: document.documentName,
        tags: document.tags ?? [],
        chunks: document.chunks.map((c) => ({ chunkId: c.id, index: c.ordinal, text: c.text, context: c.context, provenance: c.provenance })),
      },
      signal,
    );
  }

  async index(manager: EntityManager, knowledgeBaseId: string, documentId: string, chunks: readonly ChunkFromDocuments[], prepared?: unknown): Promise<void> {
    const doc = prepared as EmbeddedDocument | undefined;
    if (!doc || doc.documentId !== documentId || doc.knowledgeBaseId !== knowledgeBaseId || doc.chunks.length !== chunks.length) {
      throw new Error(`retrieval index: document ${documentId} was not prepared (call prepare() before index())`);
    }
    await this.repository.indexDocumentIn(manager, doc);
    await this.repository.refreshStatisticsIfGrown(manager);
  }

  async remove(manager: EntityManager, documentId: string): Promise<void> {
    await this.repository.removeDocumentIn(manager, documentId);
  }

  /** For knowledge-base deletion: its chunks, postings and statistics, in the caller's transaction. */
  async removeKnowledgeBase(manager: EntityManager, knowledgeBaseId: string): Promise<void> {
    await this.repository.removeKnowledgeBaseIn(manager, knowledgeBaseId);
  }
}
