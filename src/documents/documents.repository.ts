import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ChunkIndexer } from './chunk-indexer';
import type { DocumentRecord, DocumentStatus } from './document.record';
import type { Readable } from './knowledge-bases.repository';

interface Row {
  id: string;
  knowledge_base_id: string;
  filename: string;
  content_type: string;
  size_bytes: string | number;
  sha256: string;
  format: string | null;
  status: DocumentStatus;
  progress: number;
  progress_message: string | null;
  error: string | null;
  error_code: string | null;
  last_error: string | null;
  last_error_code: string | null;
  last_error_at: Date | null;
  pages: number | null;
  blocks: number | null;
  chunk_count: number;
  characters: number | null;
  warnings: string[];
  parse_ms: number | null;
  job_id: string | null;
  created_at: Date;
  updated_at: Date;
  ready_at: Date | null;
  job_status?: string | null;
  job_error?: string | null;
  job_finished_at?: Date | null;
}

/**
 * A document with its job's state: a job the queue gave up on (the process running it died on its
 * last attempt) or that was cancelled before the handler could record anything leaves the row in
 * flight; read through the job, such a document is failed (or, when an earlier ingestion made it
 * ready, ready again with its previous chunks and the failure as lastError), and can be re-ingested.
 */
const SELECT = `SELECT d.*, j.status AS job_status, j.error AS job_error, j.finished_at AS job_finished_at
  FROM documents d LEFT JOIN jobs j ON j.id = d.job_id`;
/** Advisory-lock namespace of stored files (the lock key is a hash of this plus the SHA-256). */
const FILE_LOCK = 'zhiku.file:';
const IN_FLIGHT: readonly string[] = ['queued', 'parsing', 'embedding'];

export function mapDocumentRow(r: Row): DocumentRecord {
  const abandoned = IN_FLIGHT.includes(r.status) && (r.job_status === 'failed' || r.job_status === 'cancelled');
  const record: DocumentRecord = {
    id: r.id,
    knowledgeBaseId: r.knowledge_base_id,
    filename: r.filename,
    contentType: r.content_type,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256.trim(),
    format: r.format,
    status: r.status,
    progress: r.progress,
    progressMessage: r.progress_message,
    error: r.error,
    errorCode: r.error_code,
    lastError: r.last_error,
    lastErrorCode: r.last_error_code,
    lastErrorAt: r.last_error_at ? new Date(r.last_error_at) : null,
    pages: r.pages,
    blocks: r.blocks,
    chunkCount: r.chunk_count,
    characters: r.characters,
    warnings: r.warnings ?? [],
    parseMs: r.parse_ms,
    jobId: r.job_id,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    readyAt: r.ready_at ? new Date(r.ready_at) : null,
  };
  if (!abandoned) return record;
  const error = r.job_status === 'cancelled' ? 'ingestion was cancelled' : `ingestion did not finish: ${r.job_error ?? 'its job failed'}`;
  const failure = { lastError: error, lastErrorCode: `job_${r.job_status}`, lastErrorAt: r.job_finished_at ? new Date(r.job_finished_at) : record.updatedAt };
  // Its chunks were never touched (only a successful ingestion replaces them): the previous version stands.
  if (record.readyAt) return { ...record, ...failure, status: 'ready', progress: 100, progressMessage: null };
  return { ...record, ...failure, status: 'failed', progressMessage: null, error, errorCode: failure.lastErrorCode };
}

export interface NewDocument {
  knowledgeBaseId: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
}

/** Documents and their lifecycle. Every read takes the caller's readable knowledge bases into its WHERE clause. */
@Injectable()
export class DocumentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Puts the file in place and inserts the document, or returns the one with the same bytes already
   * in that knowledge base; under the file's lock, so that a delete of the last other document using
   * these bytes (removeFileIfUnused) cannot remove the file in between.
   */
  async insertWithFile(doc: NewDocument, placeFile: () => Promise<void>): Promise<{ document: DocumentRecord; duplicate: boolean }> {
    return this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [FILE_LOCK + doc.sha256]);
      await placeFile();
      const inserted: Row[] = await m.query(
        `INSERT INTO documents (knowledge_base_id, filename, content_type, size_bytes, sha256) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (knowledge_base_id, sha256) DO NOTHING RETURNING *`,
        [doc.knowledgeBaseId, doc.filename, doc.contentType, doc.sizeBytes, doc.sha256],
      );
      if (inserted.length) return { document: mapDocumentRow(inserted[0]), duplicate: false };
      const existing: Row[] = await m.query(`${SELECT} WHERE d.knowledge_base_id = $1 AND d.sha256 = $2`, [doc.knowledgeBaseId, doc.sha256]);
      return { document: mapDocumentRow(existing[0]), duplicate: true };
    });
  }

  async get(id: string, readable: Readable): Promise<DocumentRecord | null> {
    const rows: Row[] = await this.db.query(`${SELECT} WHERE d.id = $1 AND ($2::uuid[] IS NULL OR d.knowledge_base_id = ANY($2))`, [id, readable]);
    return rows[0] ? mapDocumentRow(rows[0]) : null;
  }

  async listByKnowledgeBase(knowledgeBaseId: string, readable: Readable): Promise<DocumentRecord[]> {
    const rows: Row[] = await this.db.query(
      `${SELECT} WHERE d.knowledge_base_id = $1 AND ($2::uuid[] IS NULL OR d.knowledge_base_id = ANY($2)) ORDER BY d.created_at, d.filename`,
      [knowledgeBaseId, readable],
    );
    return rows.map(mapDocumentRow);
  }

  /** Back to the start of the pipeline (upload or re-ingest), remembering the job that will run it. */
  async queue(id: string, jobId: string | null): Promise<void> {
    await this.db.query(
      `UPDATE documents SET status = 'queued', progress = 0, progress_message = NULL, error = NULL, error_code = NULL, job_id = $2, updated_at = now() WHERE id = $1`,
      [id, jobId],
    );
  }

  async setJob(id: string, jobId: string): Promise<void> {
    await this.db.query(`UPDATE documents SET job_id = $2 WHERE id = $1`, [id, jobId]);
  }

  /** Progress of a running ingestion; false when the document is gone (deleted meanwhile). */
  async progress(id: string, status: DocumentStatus, progress: number, message: string | null): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `UPDATE documents SET status = $2, progress = $3, progress_message = $4, updated_at = now() WHERE id = $1 RETURNING id`,
      [id, status, Math.round(progress), message],
    );
    return rows.length > 0;
  }

  /**
   * Records a failed ingestion. A document that was ready keeps its chunks, index entries and
   * summary and is ready again: a failed re-ingest (a wrong password, a lost original, a parser
   * regression) must not take a document that answered questions out of search. One that never
   * was ready is failed, in one transaction with the removal of anything half-written. Either way
   * the reason stays as lastError until an ingestion succeeds. Returns what became of it.
   */
  async fail(id: string, error: string, code: string, format: string | null, indexer: ChunkIndexer | null): Promise<'kept' | 'failed' | 'gone'> {
    return this.db.transaction(async (m) => {
      const found: Array<{ ready_at: Date | null }> = await m.query(`SELECT ready_at FROM documents WHERE id = $1 FOR UPDATE`, [id]);
      if (!found.length) return 'gone';
      if (found[0].ready_at) {
        await m.query(
          `UPDATE documents SET status = 'ready', progress = 100, progress_message = NULL, error = NULL, error_code = NULL,
             last_error = $2, last_error_code = $3::varchar, last_error_at = now(), updated_at = now() WHERE id = $1`,
          [id, error, code],
        );
        return 'kept';
      }
      if (indexer) await indexer.remove(m, id);
      await m.query(`DELETE FROM chunks WHERE document_id = $1`, [id]);
      await m.query(
        `UPDATE documents SET status = 'failed', error = $2::text, error_code = $3::varchar, format = coalesce($4, format), chunk_count = 0,
           last_error = $2::text, last_error_code = $3::varchar, last_error_at = now(), progress_message = NULL, updated_at = now() WHERE id = $1`,
        [id, error, code, format],
      );
      return 'failed';
    });
  }

  /** Deletes a readable document with its chunks and index entries; returns it, or null. */
  async delete(id: string, readable: Readable, indexer: ChunkIndexer | null): Promise<DocumentRecord | null> {
    return this.db.transaction(async (m) => {
      const rows: Row[] = await m.query(`SELECT * FROM documents WHERE id = $1 AND ($2::uuid[] IS NULL OR knowledge_base_id = ANY($2)) FOR UPDATE`, [
        id,
        readable,
      ]);
      if (!rows.length) return null;
      if (indexer) await indexer.remove(m, id);
      await m.query(`DELETE FROM documents WHERE id = $1`, [id]);
      return mapDocumentRow(rows[0]);
    });
  }

  /** Removes the stored file when no document uses its bytes any more (under the file's lock, see insertWithFile). */
  async removeFileIfUnused(sha256: string, removeFile: () => Promise<void>): Promise<boolean> {
    return this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [FILE_LOCK + sha256]);
      const used: unknown[] = await m.query(`SELECT 1 FROM documents WHERE sha256 = $1 LIMIT 1`, [sha256]);
      if (used.length) return false;
      await removeFile();
      return true;
    });
  }
}
