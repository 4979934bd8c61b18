import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface AuditEventInput {
  keyId: string | null;
  keyName: string | null;
  role: string | null;
  method: string;
  path: string;
  route: string | null;
  status: number;
  durationMs: number;
  client: string | null;
}

export interface AuditEvent extends AuditEventInput {
  id: string;
  at: Date;
}

export interface AuditQuery {
  limit: number;
  /** Events older than this id (the `next` of the previous page). */
  before?: string;
  keyId?: string;
}

interface AuditRow {
  id: string;
  at: Date;
  key_id: string | null;
  key_name: string | null;
  role: string | null;
  method: string;
  path: string;
  route: string | null;
  status: number;
  duration_ms: number;
  client: string | null;
}

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(e: AuditEventInput): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_events (key_id, key_name, role, method, path, route, status, duration_ms, client)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.keyId, e.keyName, e.role, e.method, e.path, e.route, e.status, e.durationMs, e.client],
    );
  }

  /** Newest first; ids are the page cursor because `at` can repeat. */
  async list(q: AuditQuery): Promise<AuditEvent[]> {
    const rows: AuditRow[] = await this.db.query(
      `SELECT id::text AS id, at, key_id, key_name, role, method, path, route, status, duration_ms, client
         FROM audit_events
        WHERE ($1::bigint IS NULL OR id < $1::bigint) AND ($2::varchar IS NULL OR key_id = $2)
        ORDER BY id DESC
        LIMIT $3`,
      [q.before ?? null, q.keyId ?? null, q.limit],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      keyId: r.key_id,
      keyName: r.key_name,
      role: r.role,
      method: r.method,
      path: r.path,
      route: r.route,
      status: r.status,
      durationMs: r.duration_ms,
      client: r.client,
    }));
  }

  /** Removes events older than `days`; returns how many went. */
  async prune(days: number): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(
      `WITH gone AS (DELETE FROM audit_events WHERE at < now() - make_interval(days => $1) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [days],
    );
    return rows[0]?.n ?? 0;
  }
}
