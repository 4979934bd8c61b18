/** A chunk as the index stores it; the documents module hands these over when a document is ready. */
export interface ChunkToIndex {
  chunkId: string;
  index: number;
  text: string;
  context: string;
  /** Pages, cell ranges, heading path, ... as the ingestion chunker gives them. */
  provenance: Record<string, unknown>;
}

export interface DocumentToIndex {
  knowledgeBaseId: string;
  documentId: string;
  documentName: string;
  tags: readonly string[];
  chunks: readonly ChunkToIndex[];
}

/** Where a search may look. Access control is `readableKnowledgeBaseIds` (null: every knowledge base). */
export interface SearchScope {
  readableKnowledgeBaseIds: readonly string[] | null;
  knowledgeBaseIds?: readonly string[] | null;
  documentIds?: readonly string[] | null;
  /** A chunk matches when it carries every one of these tags. */
  tags?: readonly string[] | null;
}

export interface IndexedHit {
  chunkId: string;
  score: number;
  knowledgeBaseId: string;
  documentId: string;
  documentName: string;
  chunkIndex: number;
  text: string;
  context: string;
  provenance: Record<string, unknown>;
  tags: string[];
}
