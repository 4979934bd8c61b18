import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ChunkIndexer, IndexableChunk } from './chunk-indexer';
import type { ChunkRecord, IngestionSummary } from './document.record';
import type { Readable } from './knowledge-bases.repository';

export interface NewChunk extends IndexableChunk {
  tokenEstimate: number;
}

interface Row {
  id: string;
  document_id: string;
  knowledge_base_id: string;
  ordinal: number;
  text: string;
  context: string;
  kind: string;
  provenance: Record<string, unknown>;
  token_estimate: number;
  created_at: Date;
}

const map = (r: Row): ChunkRecord => ({
  id: r.id,
  documentId: r.document_id,
  knowledgeBaseId: r.knowledge_base_id,
  ordinal: r.ordinal,
  text: r.text,
  context: r.context,
  kind: r.kind,
  provenance: r.provenance,
  tokenEstimate: r.token_estimate,
  createdAt: new Date(r.created_at),
});

@Injectable()
export class ChunksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Makes a document ready: its old chunks and index entries go, the new ones come, and the status
   * turns ready, all in one transaction, so readers and search see the old set or the new one,
   * never a part. Every statement goes through the transaction's manager (the indexer's too).
   * Returns false when the document was deleted while it was being parsed (nothing is written).
   */
  async replaceAndMarkReady(
    documentId: string,
    chunks: readonly NewChunk[],
    summary: IngestionSummary,
    indexer: ChunkIndexer | null,
    prepared?: unknown,
  ): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const found: Array<{ knowledge_base_id: string }> = await m.query(`SELECT knowledge_base_id FROM documents WHERE id = $1 FOR UPDATE`, [documentId]);
      if (!found.length) return false;
      const kb = found[0].knowledge_base_id;
      if (indexer) await indexer.remove(m, documentId);
      await m.query(`DELETE FROM chunks WHERE document_id = $1`, [documentId]);
      // One statement for the whole set: unnest keeps a 10,000-chunk document to a single round trip.
      if (chunks.length) {
        await m.query(
          `INSERT INTO chunks (id, document_id, knowledge_base_id, ordinal, text, context, kind, provenance, token_estimate)
           SELECT u.id, $1, $2, u.ordinal, u.text, u.context, u.kind, u.prov::jsonb, u.tokens
           FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[])
             AS u(id, ordinal, text, context, kind, prov, tokens)`,
          [
            documentId,
            kb,
            chunks.map((c) => c.id),
            chunks.map((c) => c.ordinal),
            chunks.map((c) => c.text),
            chunks.map((c) => c.context),
            chunks.map((c) => c.kind),
            chunks.map((c) => JSON.stringify(c.provenance)),
            chunks.map((c) => c.tokenEstimate),
          ],
        );
      }
      if (indexer) await indexer.index(m, kb, documentId, chunks, prepared);
      await m.query(
        `UPDATE documents SET status = 'ready', progress = 100, progress_message = NULL, error = NULL, error_code = NULL,
           last_error = NULL, last_error_code = NULL, last_error_at = NULL, format = $2, pages = $3, blocks = $4, characters = $5, warnings = $6::jsonb, parse_ms = $7, chunk_count = $8,
           ready_at = now(), updated_at = now()
         WHERE id = $1`,
        [documentId, summary.format, summary.pages, summary.blocks, summary.characters, JSON.stringify(summary.warnings), summary.parseMs, chunks.length],
      );
      return true;
    });
  }

  /** A readable document's chunks in order, or null when the document is not readable. */
  async list(documentId: string, readable: Readable, offset: number, limit: number): Promise<{ total: number; chunks: ChunkRecord[] } | null> {
    const doc: Array<{ chunk_count: number }> = await this.db.query(
      `SELECT (SELECT count(*)::int FROM chunks c WHERE c.document_id = d.id) AS chunk_count
       FROM documents d WHERE d.id = $1 AND ($2::uuid[] IS NULL OR d.knowledge_base_id = ANY($2))`,
      [documentId, readable],
    );
    if (!doc.length) return null;
    const rows: Row[] = await this.db.query(
      `SELECT c.* FROM chunks c WHERE c.document_id = $1 AND ($2::uuid[] IS NULL OR c.knowledge_base_id = ANY($2))
       ORDER BY c.ordinal OFFSET $3 LIMIT $4`,
      [documentId, readable, offset, limit],
    );
    return { total: doc[0].chunk_count, chunks: rows.map(map) };
  }
}
