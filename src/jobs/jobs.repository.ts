import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobName } from './job-name.enum';
import { JOB_STATUSES, JobRecord, JobStatus, SEALED_PAYLOAD_KEY } from './job.types';

interface JobRow {
  id: string;
  name: string;
  payload: unknown;
  status: JobStatus;
  progress: number;
  progress_message: string | null;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  run_after: Date | string;
  cancel_requested: boolean;
  result: unknown;
  error: string | null;
  worker: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

const date = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));
const maybeDate = (value: Date | string | null): Date | null => (value === null ? null : date(value));

export function mapJobRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    name: row.name as JobName,
    payload: row.payload,
    status: row.status,
    progress: Number(row.progress),
    progressMessage: row.progress_message,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    backoffMs: row.backoff_ms,
    runAfter: date(row.run_after),
    cancelRequested: row.cancel_requested,
    result: row.result,
    error: row.error,
    worker: row.worker,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    startedAt: maybeDate(row.started_at),
    finishedAt: maybeDate(row.finished_at),
  };
}

/** UPDATE ... RETURNING comes back as [rows, count] from TypeORM's postgres driver. */
function updatedRows(raw: unknown): JobRow[] {
  return (Array.isArray(raw) && Array.isArray(raw[0]) ? raw[0] : raw) as JobRow[];
}

/** A job that ended keeps no secrets: its payload loses the sealed field (see SEALED_PAYLOAD_KEY). */
const DROP_SEALED = `payload = payload - '${SEALED_PAYLOAD_KEY}'`;

/** All SQL on the jobs table. Every state change is one statement guarded by the expected status. */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(name: JobName, payload: unknown, maxAttempts: number, backoffMs: number, delayMs: number): Promise<JobRecord> {
    const rows: JobRow[] = await this.db.query(
      `INSERT INTO jobs (name, payload, status, max_attempts, backoff_ms, run_after)
       VALUES ($1, $2, 'queued', $3, $4, now() + ($5::int * interval '1 millisecond')) RETURNING *`,
      [name, JSON.stringify(payload ?? {}), maxAttempts, backoffMs, delayMs],
    );
    return mapJobRow(rows[0]);
  }

  async get(id: string): Promise<JobRecord | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: JobRow[] = await this.db.query(`SELECT * FROM jobs WHERE id = $1`, [id]);
    return rows[0] ? mapJobRow(rows[0]) : null;
  }

  async list(filter: { status?: JobStatus; name?: string; limit: number }): Promise<JobRecord[]> {
    const rows: JobRow[] = await this.db.query(
      `SELECT * FROM jobs WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR name = $2)
       ORDER BY created_at DESC LIMIT $3`,
      [filter.status ?? null, filter.name ?? null, filter.limit],
    );
    return rows.map(mapJobRow);
  }

  async counts(): Promise<Record<JobStatus, number>> {
    const rows: Array<{ status: JobStatus; n: number }> = await this.db.query(
      `SELECT status, count(*)::int AS n FROM jobs GROUP BY status`,
    );
    const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** Claims the next due job for `worker` (SKIP LOCKED lets several processes share the table). */
  async claimNext(worker: string): Promise<JobRecord | null> {
    const raw = await this.db.query(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = $1, progress = 0,
              progress_message = NULL, started_at = now(), updated_at = now()
       WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_after <= now()
                   ORDER BY run_after, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [worker],
    );
    const rows = updatedRows(raw);
    return rows[0] ? mapJobRow(rows[0]) : null;
  }

  /** Claims one given job (BullMQ delivered its id); null when it is no longer queued. */
  async claim(id: string, worker: string): Promise<JobRecord | null> {
    const raw = await this.db.query(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = $2, progress = 0,
              progress_message = NULL, started_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'queued' RETURNING *`,
      [id, worker],
    );
    const rows = updatedRows(raw);
    return rows[0] ? mapJobRow(rows[0]) : null;
  }

  /** Milliseconds until the earliest queued job is due (negative if overdue), or null when none is queued. */
  async nextDueInMs(): Promise<number | null> {
    const rows: Array<{ ms: number | null }> = await this.db.query(
      `SELECT (extract(epoch FROM min(run_after) - now()) * 1000)::int AS ms FROM jobs WHERE status = 'queued'`,
    );
    return rows[0]?.ms ?? null;
  }

  async progress(id: string, percent: number, message: string | null): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET progress = $2, progress_message = $3, updated_at = now() WHERE id = $1 AND status = 'running'`,
      [id, percent, message],
    );
  }

  async complete(id: string, result: unknown): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET status = 'completed', progress = 100, result = $2, error = NULL, ${DROP_SEALED},
              finished_at = now(), updated_at = now() WHERE id = $1 AND status = 'running'`,
      [id, JSON.stringify(result ?? null)],
    );
  }

  /** Back to the queue after a failed attempt, due again in `delayMs`. */
  async requeue(id: string, error: string, delayMs: number, refundAttempt = false): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET status = 'queued', error = $2, run_after = now() + ($3::int * interval '1 millisecond'),
              attempts = attempts - $4::int, updated_at = now() WHERE id = $1 AND status = 'running'`,
      [id, error, delayMs, refundAttempt ? 1 : 0],
    );
  }

  async finish(id: string, status: 'failed' | 'cancelled', error: string): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET status = $2, error = $3, ${DROP_SEALED}, finished_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'running'`,
      [id, status, error],
    );
  }

  /** Cancels a queued job at once; a running one gets cancel_requested. Returns the new row. */
  async requestCancel(id: string): Promise<JobRecord | null> {
    const raw = await this.db.query(
      `UPDATE jobs SET
         status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
         finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
         error = CASE WHEN status = 'queued' THEN 'cancelled before it started' ELSE error END,
         payload = CASE WHEN status = 'queued' THEN payload - '${SEALED_PAYLOAD_KEY}' ELSE payload END,
         cancel_requested = true, updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
      [id],
    );
    const rows = updatedRows(raw);
    return rows[0] ? mapJobRow(rows[0]) : null;
  }

  /** A failed or cancelled job starts over with a fresh attempt count. */
  async resetForRetry(id: string): Promise<JobRecord | null> {
    const raw = await this.db.query(
      `UPDATE jobs SET status = 'queued', attempts = 0, error = NULL, result = NULL, progress = 0,
              progress_message = NULL, cancel_requested = false, run_after = now(), finished_at = NULL,
              updated_at = now()
       WHERE id = $1 AND status IN ('failed', 'cancelled') RETURNING *`,
      [id],
    );
    const rows = updatedRows(raw);
    return rows[0] ? mapJobRow(rows[0]) : null;
  }

  async running(): Promise<JobRecord[]> {
    const rows: JobRow[] = await this.db.query(`SELECT * FROM jobs WHERE status = 'running'`);
    return rows.map(mapJobRow);
  }

  /**
   * A job left 'running' by a process that died: queued again while it has attempts left,
   * failed otherwise (cancelled if a cancel was pending). True when it went back to the queue.
   */
  async recoverInterrupted(id: string, reason: string): Promise<boolean> {
    const raw = await this.db.query(
      `UPDATE jobs SET
         status = CASE WHEN attempts < max_attempts AND NOT cancel_requested THEN 'queued'
                       WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END,
         error = $2, run_after = now(), updated_at = now(),
         finished_at = CASE WHEN attempts < max_attempts AND NOT cancel_requested THEN NULL ELSE now() END,
         payload = CASE WHEN attempts < max_attempts AND NOT cancel_requested THEN payload ELSE payload - '${SEALED_PAYLOAD_KEY}' END
       WHERE id = $1 AND status = 'running' RETURNING status`,
      [id, reason],
    );
    return updatedRows(raw)[0]?.status === 'queued';
  }
}
