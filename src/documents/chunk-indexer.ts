import type { EntityManager } from 'typeorm';

/** A chunk as the documents module hands it to the retrieval index. */
export interface IndexableChunk {
  id: string;
  ordinal: number;
  text: string;
  /** Heading path (and a table's header) that situate the text. */
  context: string;
  kind: string;
  provenance: Record<string, unknown>;
}

/** Who the chunks belong to, for indexes that store it beside them (document name in search hits). */
export interface IndexableDocument {
  knowledgeBaseId: string;
  documentId: string;
  documentName: string;
  chunks: readonly IndexableChunk[];
}

/**
 * The retrieval index as the documents module sees it. `index` and `remove` run inside the
 * transaction that makes a document ready (or deletes it), so its chunks become searchable at the
 * same moment they become visible, or not at all. They must query only through `manager`: on
 * embedded PGlite a second connection inside a transaction waits forever.
 *
 * `prepare` (optional) does the slow part (embedding) before the transaction opens, so the
 * database is not held while vectors are computed; whatever it returns is handed to `index`.
 */
export interface ChunkIndexer {
  prepare?(document: IndexableDocument, signal?: AbortSignal): Promise<unknown>;
  index(manager: EntityManager, knowledgeBaseId: string, documentId: string, chunks: readonly IndexableChunk[], prepared?: unknown): Promise<void>;
  remove(manager: EntityManager, documentId: string): Promise<void>;
}

/** Nest token of the optional ChunkIndexer provider (see DocumentsModule.withIndexer). */
export const CHUNK_INDEXER = Symbol('CHUNK_INDEXER');
