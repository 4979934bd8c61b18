import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../../common';
import type { StoredRecord } from './dataset-record';
import { contentHash } from './dedupe';

export type VersionOperation = 'import' | 'edit' | 'split' | 'from-answer' | 'drafts';

export interface DatasetRow {
  id: string;
  name: string;
  description: string;
  latestVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface VersionRow {
  datasetId: string;
  version: number;
  /** 'create': version 0, the empty start, which has no row of its own. */
  operation: VersionOperation | 'create';
  note: string;
  report: Record<string, unknown>;
  recordCount: number;
  trainCount: number;
  validationCount: number;
  createdBy: string;
  createdAt: Date;
}

export interface NewVersion {
  operation: VersionOperation;
  note: string;
  report: Record<string, unknown>;
  createdBy: string;
  records: StoredRecord[];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const mapDataset = (r: any): DatasetRow => ({ id: r.id, name: r.name, description: r.description, latestVersion: r.latest_version, createdAt: r.created_at, updatedAt: r.updated_at });
const mapVersion = (r: any): VersionRow => ({
  datasetId: r.dataset_id,
  version: r.version,
  operation: r.operation,
  note: r.note,
  report: r.report,
  recordCount: r.record_count,
  trainCount: r.train_count,
  validationCount: r.validation_count,
  createdBy: r.created_by,
  createdAt: r.created_at,
});
const mapRecord = (r: any): StoredRecord => {
  const out: StoredRecord = { id: r.record_id, split: r.split, instruction: r.instruction, output: r.output, tags: r.tags ?? [] };
  if (r.system !== null) out.system = r.system;
  if (r.input !== null) out.input = r.input;
  if (r.history !== null) out.history = r.history;
  if (r.sources !== null) out.sources = r.sources;
  return out;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

const RECORD_COLUMNS = ['dataset_id', 'version', 'position', 'record_id', 'split', 'system', 'instruction', 'input', 'output', 'history', 'sources', 'tags', 'content_hash'];
/** Rows per INSERT: 13 parameters each stays far below PostgreSQL's 65,535. */
const INSERT_BATCH = 500;

/** Datasets, their frozen versions and the records of each version. */
@Injectable()
export class DatasetsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(): Promise<Array<DatasetRow & { recordCount: number }>> {
    const rows = await this.db.query(`
      SELECT d.*, coalesce(v.record_count, 0) AS record_count FROM datasets d
      LEFT JOIN dataset_versions v ON v.dataset_id = d.id AND v.version = d.latest_version
      ORDER BY d.name`);
    return rows.map((r: { record_count: number }) => ({ ...mapDataset(r), recordCount: r.record_count }));
  }

  /** A new dataset at version 0 (no records); undefined when the name is taken. */
  async create(name: string, description: string): Promise<DatasetRow | undefined> {
    const rows = await this.db.query(`INSERT INTO datasets (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING *`, [name, description]);
    return rows[0] ? mapDataset(rows[0]) : undefined;
  }

  /** By id or by name. */
  async find(ref: string): Promise<DatasetRow | undefined> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
    // One parameter typed both uuid and varchar is an error in PostgreSQL: pass the id separately.
    const rows = await this.db.query(`SELECT * FROM datasets WHERE ${isUuid ? 'id = $2::uuid OR ' : ''}name = $1 LIMIT 1`, isUuid ? [ref, ref] : [ref]);
    return rows[0] ? mapDataset(rows[0]) : undefined;
  }

  async versions(datasetId: string): Promise<VersionRow[]> {
    return (await this.db.query(`SELECT * FROM dataset_versions WHERE dataset_id = $1 ORDER BY version`, [datasetId])).map(mapVersion);
  }

  async version(datasetId: string, version: number): Promise<VersionRow | undefined> {
    const rows = await this.db.query(`SELECT * FROM dataset_versions WHERE dataset_id = $1 AND version = $2`, [datasetId, version]);
    return rows[0] ? mapVersion(rows[0]) : undefined;
  }

  async records(datasetId: string, version: number, page: { split?: 'train' | 'validation'; offset?: number; limit?: number } = {}, manager?: EntityManager): Promise<StoredRecord[]> {
    const rows = await (manager ?? this.db).query(
      `SELECT * FROM dataset_records WHERE dataset_id = $1 AND version = $2 AND ($3::text IS NULL OR split = $3)
       ORDER BY position OFFSET $4 LIMIT $5`,
      [datasetId, version, page.split ?? null, page.offset ?? 0, page.limit ?? null],
    );
    return rows.map(mapRecord);
  }

  /**
   * Creates the next version of a dataset (and the dataset itself when `create` names a new one) in
   * one transaction. `build` gets the records of the latest version (none for a new dataset) under a
   * row lock, so concurrent edits queue up instead of losing each other's changes; it also gets the
   * transaction, for changes elsewhere that must commit or fail with the version (approved drafts).
   */
  async addVersion(ref: { id?: string; create?: { name: string; description?: string } }, build: (latest: StoredRecord[], dataset: DatasetRow, m: EntityManager) => NewVersion | Promise<NewVersion>): Promise<{ dataset: DatasetRow; version: VersionRow }> {
    return this.db.transaction(async (m) => {
      let dataset: DatasetRow | undefined;
      if (ref.id) dataset = (await m.query(`SELECT * FROM datasets WHERE id = $1 FOR UPDATE`, [ref.id])).map(mapDataset)[0];
      else if (ref.create) {
        // Two imports naming the same new dataset: one inserts, the other waits on the row lock and adds a version.
        await m.query(`INSERT INTO datasets (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [ref.create.name, ref.create.description ?? '']);
        dataset = (await m.query(`SELECT * FROM datasets WHERE name = $1 FOR UPDATE`, [ref.create.name])).map(mapDataset)[0];
      }
      if (!dataset) throw new NotFoundError(`no dataset ${ref.id}`);
      const latest = dataset.latestVersion ? await this.records(dataset.id, dataset.latestVersion, {}, m) : [];
      const next = await build(latest, dataset, m);
      const version = dataset.latestVersion + 1;
      const train = next.records.filter((r) => r.split === 'train').length;
      const validation = next.records.filter((r) => r.split === 'validation').length;
      const [row] = await m.query(
        `INSERT INTO dataset_versions (dataset_id, version, operation, note, report, record_count, train_count, validation_count, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [dataset.id, version, next.operation, next.note, JSON.stringify(next.report), next.records.length, train, validation, next.createdBy],
      );
      await this.insertRecords(m, dataset.id, version, next.records);
      const [updated] = await m.query(`UPDATE datasets SET latest_version = $2, updated_at = now() WHERE id = $1 RETURNING *`, [dataset.id, version]);
      return { dataset: mapDataset(updated), version: mapVersion(row) };
    });
  }

  async remove(datasetId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      // The immutability trigger lets rows go only as part of dropping their whole dataset.
      await m.query(`SELECT set_config('zhiku.dropping_dataset', $1, true)`, [datasetId]);
      const found = await m.query(`SELECT id FROM datasets WHERE id = $1 FOR UPDATE`, [datasetId]);
      if (!found.length) throw new NotFoundError(`no dataset ${datasetId}`);
      await m.query(`DELETE FROM datasets WHERE id = $1`, [datasetId]);
    });
  }

  private async insertRecords(m: EntityManager, datasetId: string, version: number, records: StoredRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += INSERT_BATCH) {
      const batch = records.slice(start, start + INSERT_BATCH);
      const params: unknown[] = [];
      const values = batch.map((r, i) => {
        params.push(
          datasetId,
          version,
          start + i,
          r.id,
          r.split,
          r.system ?? null,
          r.instruction,
          r.input ?? null,
          r.output,
          r.history ? JSON.stringify(r.history) : null,
          r.sources ? JSON.stringify(r.sources) : null,
          r.tags,
          contentHash(r),
        );
        const base = i * RECORD_COLUMNS.length;
        return `(${RECORD_COLUMNS.map((_, c) => `$${base + c + 1}`).join(', ')})`;
      });
      await m.query(`INSERT INTO dataset_records (${RECORD_COLUMNS.join(', ')}) VALUES ${values.join(', ')}`, params);
    }
  }
}
