/** Where a document is in its ingestion: queued → parsing → embedding → ready | failed. */
export const DOCUMENT_STATUSES = ['queued', 'parsing', 'embedding', 'ready', 'failed'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** A row of `documents`, as the rest of the module sees it. */
export interface DocumentRecord {
  id: string;
  knowledgeBaseId: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  format: string | null;
  status: DocumentStatus;
  progress: number;
  progressMessage: string | null;
  /** The reader-facing reason a failed document failed (the IngestionError's message). */
  error: string | null;
  errorCode: string | null;
  /**
   * Why the most recent ingestion failed, until one succeeds. A re-ingest of a ready document that
   * fails leaves it ready with its previous chunks: this is where the failure shows.
   */
  lastError: string | null;
  lastErrorCode: string | null;
  lastErrorAt: Date | null;
  pages: number | null;
  blocks: number | null;
  chunkCount: number;
  characters: number | null;
  warnings: string[];
  parseMs: number | null;
  jobId: string | null;
  createdAt: Date;
  updatedAt: Date;
  readyAt: Date | null;
}

export interface ChunkRecord {
  id: string;
  documentId: string;
  knowledgeBaseId: string;
  ordinal: number;
  text: string;
  context: string;
  kind: string;
  provenance: Record<string, unknown>;
  tokenEstimate: number;
  createdAt: Date;
}

/** What a successful parse adds to the document row when it becomes ready. */
export interface IngestionSummary {
  format: string;
  pages: number;
  blocks: number;
  characters: number;
  warnings: string[];
  parseMs: number;
}
