import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { SourceRef } from '../datasets/dataset-record';

export const DRAFT_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

export interface DraftToStore {
  datasetId: string;
  jobId: string;
  instruction: string;
  output: string;
  sources: SourceRef[];
  grounding: number;
  model: string;
  createdBy: string;
}

export interface DraftRecord {
  id: string;
  datasetId: string;
  jobId: string | null;
  status: DraftStatus;
  instruction: string;
  output: string;
  sources: SourceRef[];
  grounding: number;
  model: string;
  createdBy: string;
  createdAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  approvedVersion: number | null;
}

interface DraftRow {
  id: string;
  dataset_id: string;
  job_id: string | null;
  status: DraftStatus;
  instruction: string;
  output: string;
  sources: SourceRef[];
  grounding: number;
  model: string;
  created_by: string;
  created_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  approved_version: number | null;
}

const COLUMNS = `id, dataset_id, job_id, status, instruction, output, sources, grounding, model, created_by, created_at, decided_by, decided_at, approved_version`;

@Injectable()
export class DraftsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(drafts: readonly DraftToStore[]): Promise<void> {
    if (drafts.length === 0) return;
    await this.db.transaction(async (m) => {
      for (const d of drafts) {
        await m.query(
          `INSERT INTO dataset_drafts (dataset_id, job_id, instruction, output, sources, grounding, model, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [d.datasetId, d.jobId, d.instruction, d.output, JSON.stringify(d.sources), d.grounding, d.model, d.createdBy],
        );
      }
    });
  }

  async list(datasetId: string, query: { status?: DraftStatus; jobId?: string; offset: number; limit: number }): Promise<{ total: number; drafts: DraftRecord[] }> {
    const where = `dataset_id = $1 AND ($2::varchar IS NULL OR status = $2) AND ($3::varchar IS NULL OR job_id = $3)`;
    const params = [datasetId, query.status ?? null, query.jobId ?? null];
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM dataset_drafts WHERE ${where}`, params);
    const rows: DraftRow[] = await this.db.query(`SELECT ${COLUMNS} FROM dataset_drafts WHERE ${where} ORDER BY created_at, id OFFSET $4 LIMIT $5`, [...params, query.offset, query.limit]);
    return { total: n, drafts: rows.map(mapRow) };
  }

  async get(datasetId: string, id: string): Promise<DraftRecord | null> {
    const rows: DraftRow[] = await this.db.query(`SELECT ${COLUMNS} FROM dataset_drafts WHERE dataset_id = $1 AND id = $2`, [datasetId, id]);
    return rows.length ? mapRow(rows[0]) : null;
  }

  async update(datasetId: string, id: string, patch: { instruction?: string; output?: string }): Promise<DraftRecord | null> {
    const rows: DraftRow[] = await this.db.query(
      // Through a CTE: TypeORM returns an UPDATE's rows as [rows, count] on the pg drivers.
      `WITH changed AS (UPDATE dataset_drafts SET instruction = COALESCE($3, instruction), output = COALESCE($4, output)
        WHERE dataset_id = $1 AND id = $2 AND status = 'pending' RETURNING ${COLUMNS}) SELECT * FROM changed`,
      [datasetId, id, patch.instruction ?? null, patch.output ?? null],
    );
    return rows.length ? mapRow(rows[0]) : null;
  }

  /**
   * Moves pending drafts to a decision. Inside the caller's transaction `m` (approving adds the
   * dataset version there) the caller must roll back on null; alone it runs its own transaction.
   * null: one of the ids is not a pending draft of this dataset, and nothing changed.
   */
  async decide(datasetId: string, ids: readonly string[], decision: Exclude<DraftStatus, 'pending'>, decidedBy: string, version: number | null, m?: EntityManager): Promise<DraftRecord[] | null> {
    if (m) return this.decideIn(m, datasetId, ids, decision, decidedBy, version);
    try {
      return await this.db.transaction(async (tx) => {
        const decided = await this.decideIn(tx, datasetId, ids, decision, decidedBy, version);
        if (!decided) throw NOT_ALL_PENDING;
        return decided;
      });
    } catch (e) {
      if (e === NOT_ALL_PENDING) return null;
      throw e;
    }
  }

  private async decideIn(m: EntityManager, datasetId: string, ids: readonly string[], decision: DraftStatus, decidedBy: string, version: number | null): Promise<DraftRecord[] | null> {
    const rows: DraftRow[] = await m.query(
      `WITH decided AS (UPDATE dataset_drafts SET status = $3, decided_by = $4, decided_at = now(), approved_version = $5
        WHERE dataset_id = $1 AND id = ANY($2::uuid[]) AND status = 'pending' RETURNING ${COLUMNS}) SELECT * FROM decided`,
      [datasetId, ids, decision, decidedBy, version],
    );
    if (rows.length !== new Set(ids).size) return null;
    return rows.map(mapRow).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }
}

/** Thrown inside decide's own transaction to roll it back; never escapes. */
const NOT_ALL_PENDING = Symbol('not all pending');

function mapRow(r: DraftRow): DraftRecord {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    jobId: r.job_id,
    status: r.status,
    instruction: r.instruction,
    output: r.output,
    sources: r.sources,
    grounding: Number(r.grounding),
    model: r.model,
    createdBy: r.created_by,
    createdAt: r.created_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    approvedVersion: r.approved_version,
  };
}
