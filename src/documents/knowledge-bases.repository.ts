import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ChunkIndexer } from './chunk-indexer';

export interface KnowledgeBaseRecord {
  id: string;
  name: string;
  description: string;
  documentCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** null: every knowledge base; otherwise only these (the caller's grants). Goes into the WHERE clause. */
export type Readable = readonly string[] | null;

const SELECT = `
  SELECT kb.id, kb.name, kb.description, kb.created_at, kb.updated_at,
         (SELECT count(*)::int FROM documents d WHERE d.knowledge_base_id = kb.id) AS document_count
  FROM knowledge_bases kb`;

interface Row {
  id: string;
  name: string;
  description: string;
  document_count: number;
  created_at: Date;
  updated_at: Date;
}

const map = (r: Row): KnowledgeBaseRecord => ({
  id: r.id,
  name: r.name,
  description: r.description,
  documentCount: r.document_count,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.code === '23505' || e?.driverError?.code === '23505';
}

@Injectable()
export class KnowledgeBasesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(readable: Readable): Promise<KnowledgeBaseRecord[]> {
    const rows: Row[] = await this.db.query(`${SELECT} WHERE ($1::uuid[] IS NULL OR kb.id = ANY($1)) ORDER BY lower(kb.name)`, [readable]);
    return rows.map(map);
  }

  async get(id: string, readable: Readable): Promise<KnowledgeBaseRecord | null> {
    const rows: Row[] = await this.db.query(`${SELECT} WHERE kb.id = $1 AND ($2::uuid[] IS NULL OR kb.id = ANY($2))`, [id, readable]);
    return rows[0] ? map(rows[0]) : null;
  }

  async findByName(name: string, readable: Readable): Promise<KnowledgeBaseRecord | null> {
    const rows: Row[] = await this.db.query(`${SELECT} WHERE lower(kb.name) = lower($1) AND ($2::uuid[] IS NULL OR kb.id = ANY($2))`, [name, readable]);
    return rows[0] ? map(rows[0]) : null;
  }

  /**
   * Creates a knowledge base; a key limited to some knowledge bases is granted the new one in the
   * same transaction, so its creator can use it. Throws the driver's unique violation on a taken name.
   */
  async create(name: string, description: string, grantToKeyId: string | null): Promise<KnowledgeBaseRecord> {
    const id = await this.db.transaction(async (m) => {
      const [row]: Array<{ id: string }> = await m.query(`INSERT INTO knowledge_bases (name, description) VALUES ($1, $2) RETURNING id`, [name, description]);
      if (grantToKeyId) await m.query(`INSERT INTO api_key_grants (api_key_id, knowledge_base_id) VALUES ($1, $2)`, [grantToKeyId, row.id]);
      return row.id;
    });
    return (await this.get(id, null))!;
  }

  async update(id: string, readable: Readable, patch: { name?: string; description?: string }): Promise<KnowledgeBaseRecord | null> {
    const rows: Array<{ id: string }> = await this.db.query(
      `UPDATE knowledge_bases SET name = coalesce($3, name), description = coalesce($4, description), updated_at = now()
       WHERE id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2)) RETURNING id`,
      [id, readable, patch.name ?? null, patch.description ?? null],
    );
    return rows.length ? this.get(id, readable) : null;
  }

  /**
   * Deletes a knowledge base with its documents and chunks (cascade) and their index entries, in one
   * transaction. Returns the SHA-256 of the files its documents used (the caller removes those no
   * other document refers to), or null when there is no such readable knowledge base.
   */
  async delete(id: string, readable: Readable, indexer: ChunkIndexer | null): Promise<string[] | null> {
    return this.db.transaction(async (m: EntityManager) => {
      const found: Array<{ id: string }> = await m.query(
        `SELECT id FROM knowledge_bases WHERE id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2)) FOR UPDATE`,
        [id, readable],
      );
      if (!found.length) return null;
      const docs: Array<{ id: string; sha256: string }> = await m.query(`SELECT id, sha256 FROM documents WHERE knowledge_base_id = $1`, [id]);
      if (indexer) for (const d of docs) await indexer.remove(m, d.id);
      await m.query(`DELETE FROM knowledge_bases WHERE id = $1`, [id]);
      return [...new Set(docs.map((d) => d.sha256))];
    });
  }
}
