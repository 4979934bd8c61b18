import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ModelMeasurements, ModelRecord, ModelStatus, NewModel } from './model.record';

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

const map = (r: Row): ModelRecord => ({
  id: r.id as string,
  name: r.name as string,
  version: Number(r.version),
  provider: r.provider as ModelRecord['provider'],
  status: r.status as ModelStatus,
  error: (r.error as string | null) ?? null,
  folder: (r.folder as string | null) ?? null,
  ownsFolder: Boolean(r.owns_folder),
  sourcePath: (r.source_path as string | null) ?? null,
  sourceSha256: (r.source_sha256 as string | null) ?? null,
  architecture: (r.architecture as string | null) ?? null,
  bits: r.bits === null || r.bits === undefined ? null : Number(r.bits),
  group: r.group_size === null || r.group_size === undefined ? null : Number(r.group_size),
  contextLength: r.context_length === null || r.context_length === undefined ? null : Number(r.context_length),
  sizeBytes: r.size_bytes === null || r.size_bytes === undefined ? null : Number(r.size_bytes),
  baseUrl: (r.base_url as string | null) ?? null,
  apiKey: (r.api_key as string | null) ?? null,
  remoteModel: (r.remote_model as string | null) ?? null,
  baseModel: (r.base_model as string | null) ?? null,
  parentModelId: (r.parent_model_id as string | null) ?? null,
  datasetVersion: (r.dataset_version as string | null) ?? null,
  isDefault: Boolean(r.is_default),
  jobId: (r.job_id as string | null) ?? null,
  measurements: {
    decodeTokensPerS: num(r.decode_tokens_per_s),
    prefillTokensPerS: num(r.prefill_tokens_per_s),
    peakRssMb: num(r.peak_rss_mb),
    threads: num(r.measure_threads),
    measuredAt: date(r.measured_at),
    perplexity: num(r.perplexity),
    perplexityTokens: num(r.perplexity_tokens),
    perplexityAt: date(r.perplexity_at),
  },
  createdAt: new Date(r.created_at as string),
  updatedAt: new Date(r.updated_at as string),
});

/** TypeORM answers UPDATE/DELETE ... RETURNING with [rows, count] and other statements with the rows. */
function returned(result: unknown): Row[] {
  const list = result as unknown[];
  return (list.length === 2 && Array.isArray(list[0]) && typeof list[1] === 'number' ? list[0] : list) as Row[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The models table. Versions are numbered per name inside the insert's transaction. */
@Injectable()
export class ModelsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(): Promise<ModelRecord[]> {
    const rows: Row[] = await this.db.query(`SELECT * FROM models ORDER BY lower(name), version`);
    return rows.map(map);
  }

  async get(id: string): Promise<ModelRecord | null> {
    if (!UUID.test(id)) return null;
    const rows: Row[] = await this.db.query(`SELECT * FROM models WHERE id = $1`, [id]);
    return rows[0] ? map(rows[0]) : null;
  }

  async findVersion(name: string, version: number): Promise<ModelRecord | null> {
    const rows: Row[] = await this.db.query(`SELECT * FROM models WHERE lower(name) = lower($1) AND version = $2`, [name, version]);
    return rows[0] ? map(rows[0]) : null;
  }

  /** The version "name" means: the ready default if one is set, else the newest ready version. */
  async findCurrent(name: string): Promise<ModelRecord | null> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM models WHERE lower(name) = lower($1) AND status = 'ready' ORDER BY is_default DESC, version DESC LIMIT 1`,
      [name],
    );
    return rows[0] ? map(rows[0]) : null;
  }

  /** The newest ready default version of any name, else the newest ready version. */
  async findAnyCurrent(): Promise<ModelRecord | null> {
    const rows: Row[] = await this.db.query(`SELECT * FROM models WHERE status = 'ready' ORDER BY is_default DESC, created_at DESC LIMIT 1`);
    return rows[0] ? map(rows[0]) : null;
  }

  /** Inserts the next version of `model.name` (1 for a new name). Serialised per name by an advisory lock. */
  async insertVersion(model: NewModel, folderFor?: (version: number) => string): Promise<ModelRecord> {
    return this.db.transaction(async (m) => {
      // An advisory lock keyed by the name makes two concurrent registrations of one name take turns.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext(lower($1)))`, [model.name]);
      const [{ next }]: Array<{ next: number }> = await m.query(
        `SELECT coalesce(max(version), 0) + 1 AS next FROM models WHERE lower(name) = lower($1)`,
        [model.name],
      );
      const rows: Row[] = await m.query(
        `INSERT INTO models (name, version, provider, status, error, folder, owns_folder, source_path, source_sha256, architecture,
           bits, group_size, context_length, size_bytes, base_url, api_key, remote_model, base_model, parent_model_id, dataset_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING *`,
        [
          model.name, next, model.provider, model.status, model.error, folderFor ? folderFor(Number(next)) : model.folder, model.ownsFolder, model.sourcePath,
          model.sourceSha256, model.architecture, model.bits, model.group, model.contextLength, model.sizeBytes, model.baseUrl,
          model.apiKey, model.remoteModel, model.baseModel, model.parentModelId, model.datasetVersion,
        ],
      );
      return map(rows[0]);
    });
  }

  async setJob(id: string, jobId: string): Promise<void> {
    await this.db.query(`UPDATE models SET job_id = $2, updated_at = now() WHERE id = $1`, [id, jobId]);
  }

  /** importing → ready, with what the import measured. Only an importing row changes. */
  async markReady(id: string, facts: Pick<ModelRecord, 'sourceSha256' | 'architecture' | 'contextLength' | 'sizeBytes' | 'group'>): Promise<ModelRecord | null> {
    const rows = returned(await this.db.query(
      `UPDATE models SET status = 'ready', error = NULL, source_sha256 = $2, architecture = $3, context_length = $4, size_bytes = $5, group_size = $6, updated_at = now()
       WHERE id = $1 AND status = 'importing' RETURNING *`,
      [id, facts.sourceSha256, facts.architecture, facts.contextLength, facts.sizeBytes, facts.group],
    ));
    return rows[0] ? map(rows[0]) : null;
  }

  /** Stores what a measurement found; a part not measured this time (perplexity without a text) keeps its value. */
  async setMeasurements(id: string, m: Partial<Pick<ModelMeasurements, 'decodeTokensPerS' | 'prefillTokensPerS' | 'peakRssMb' | 'threads' | 'perplexity' | 'perplexityTokens'>>): Promise<ModelRecord | null> {
    const speed = m.decodeTokensPerS !== undefined;
    const ppl = m.perplexity !== undefined;
    const rows = returned(await this.db.query(
      `UPDATE models SET
         decode_tokens_per_s = CASE WHEN $2 THEN $3 ELSE decode_tokens_per_s END,
         prefill_tokens_per_s = CASE WHEN $2 THEN $4 ELSE prefill_tokens_per_s END,
         peak_rss_mb = CASE WHEN $2 THEN $5 ELSE peak_rss_mb END,
         measure_threads = CASE WHEN $2 THEN $6 ELSE measure_threads END,
         measured_at = CASE WHEN $2 THEN now() ELSE measured_at END,
         perplexity = CASE WHEN $7 THEN $8 ELSE perplexity END,
         perplexity_tokens = CASE WHEN $7 THEN $9 ELSE perplexity_tokens END,
         perplexity_at = CASE WHEN $7 THEN now() ELSE perplexity_at END
       WHERE id = $1 RETURNING *`,
      [id, speed, m.decodeTokensPerS ?? null, m.prefillTokensPerS ?? null, m.peakRssMb ?? null, m.threads ?? null, ppl, m.perplexity ?? null, m.perplexityTokens ?? null],
    ));
    return rows[0] ? map(rows[0]) : null;
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.db.query(`UPDATE models SET status = 'failed', error = $2, updated_at = now() WHERE id = $1 AND status = 'importing'`, [id, error]);
  }

  /** Makes this version the one its name resolves to (clearing the flag on the name's other versions). */
  async setDefault(id: string): Promise<ModelRecord | null> {
    return this.db.transaction(async (m) => {
      const found: Row[] = await m.query(`SELECT * FROM models WHERE id = $1 FOR UPDATE`, [id]);
      if (!found[0]) return null;
      await m.query(`UPDATE models SET is_default = false, updated_at = now() WHERE lower(name) = lower($1) AND is_default`, [found[0].name]);
      const rows = returned(await m.query(`UPDATE models SET is_default = true, updated_at = now() WHERE id = $1 RETURNING *`, [id]));
      return map(rows[0]);
    });
  }

  async delete(id: string): Promise<ModelRecord | null> {
    const rows = returned(await this.db.query(`DELETE FROM models WHERE id = $1 RETURNING *`, [id]));
    return rows[0] ? map(rows[0]) : null;
  }
}
