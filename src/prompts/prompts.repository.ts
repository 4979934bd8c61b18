import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export type VersionOrigin = 'shipped' | 'created' | 'edited';

export interface TemplateRecord {
  name: string;
  task: string;
  language: string;
  shipped: boolean;
  activeVersion: number;
  latestVersion: number;
  description: string;
  shippedSha256: string | null;
  shippedVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a new version stores (the source is the canonical text; the rest is derived from it). */
export interface NewVersion {
  source: string;
  description: string;
  task: string;
  language: string;
  sha256: string;
  origin: VersionOrigin;
  createdBy: string;
}

export interface VersionRecord extends NewVersion {
  name: string;
  version: number;
  createdAt: Date;
}

export type SeedOutcome = 'created' | 'unchanged' | 'updated-active' | 'updated-inactive' | 'skipped-custom';

const TEMPLATE_SELECT = `
  SELECT t.name, t.task, t.language, t.shipped, t.active_version, t.shipped_sha256, t.shipped_version, t.created_at, t.updated_at,
         v.description,
         (SELECT max(version) FROM prompt_template_versions x WHERE x.template_name = t.name) AS latest_version
  FROM prompt_templates t
  JOIN prompt_template_versions v ON v.template_name = t.name AND v.version = t.active_version`;

/* eslint-disable @typescript-eslint/no-explicit-any */
const mapTemplate = (r: any): TemplateRecord => ({
  name: r.name,
  task: r.task,
  language: r.language,
  shipped: r.shipped,
  activeVersion: r.active_version,
  latestVersion: r.latest_version,
  description: r.description,
  shippedSha256: r.shipped_sha256,
  shippedVersion: r.shipped_version,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

const mapVersion = (r: any): VersionRecord => ({
  name: r.template_name,
  version: r.version,
  source: r.source,
  description: r.description,
  task: r.task,
  language: r.language,
  sha256: r.sha256,
  origin: r.origin,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
});
/* eslint-enable @typescript-eslint/no-explicit-any */

@Injectable()
export class PromptsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(filter: { task?: string; language?: string }): Promise<TemplateRecord[]> {
    const rows = await this.db.query(
      `${TEMPLATE_SELECT} WHERE ($1::text IS NULL OR t.task = $1) AND ($2::text IS NULL OR t.language = $2) ORDER BY t.task, t.language, t.name`,
      [filter.task ?? null, filter.language ?? null],
    );
    return rows.map(mapTemplate);
  }

  async get(name: string, m: EntityManager = this.db.manager): Promise<TemplateRecord | null> {
    const rows = await m.query(`${TEMPLATE_SELECT} WHERE t.name = $1`, [name]);
    return rows[0] ? mapTemplate(rows[0]) : null;
  }

  async version(name: string, version: number): Promise<VersionRecord | null> {
    const rows = await this.db.query(`SELECT * FROM prompt_template_versions WHERE template_name = $1 AND version = $2`, [name, version]);
    return rows[0] ? mapVersion(rows[0]) : null;
  }

  async versions(name: string): Promise<VersionRecord[]> {
    const rows = await this.db.query(`SELECT * FROM prompt_template_versions WHERE template_name = $1 ORDER BY version`, [name]);
    return rows.map(mapVersion);
  }

  /** A new template with its version 1, active. Returns false when the name is taken (no change made). */
  async create(name: string, v: NewVersion, shipped: boolean): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const inserted = await m.query(
        `INSERT INTO prompt_templates (name, task, language, shipped, active_version, shipped_sha256, shipped_version)
         VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING name`,
        [name, v.task, v.language, shipped, shipped ? v.sha256 : null, shipped ? 1 : null],
      );
      if (!inserted.length) return false;
      await this.insertVersion(m, name, 1, v);
      return true;
    });
  }

  /**
   * Appends the next version under a row lock (two concurrent edits get versions n+1 and n+2, never
   * the same number) and makes it active. Returns the new version number, or null when the template
   * does not exist.
   */
  async addVersion(name: string, v: NewVersion): Promise<number | null> {
    return this.db.transaction(async (m) => {
      const locked = await m.query(`SELECT name FROM prompt_templates WHERE name = $1 FOR UPDATE`, [name]);
      if (!locked.length) return null;
      const version = await this.nextVersion(m, name);
      await this.insertVersion(m, name, version, v);
      await m.query(`UPDATE prompt_templates SET active_version = $2, task = $3, language = $4, updated_at = now() WHERE name = $1`, [name, version, v.task, v.language]);
      return version;
    });
  }

  /** Points the template at an existing version. False when there is no such version. */
  async activate(name: string, version: number): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const rows = await m.query(`SELECT task, language FROM prompt_template_versions WHERE template_name = $1 AND version = $2`, [name, version]);
      if (!rows.length) return false;
      await m.query(`UPDATE prompt_templates SET active_version = $2, task = $3, language = $4, updated_at = now() WHERE name = $1`, [name, version, rows[0].task, rows[0].language]);
      return true;
    });
  }

  async delete(name: string): Promise<boolean> {
    const rows = await this.db.query(`DELETE FROM prompt_templates WHERE name = $1 AND NOT shipped RETURNING name`, [name]);
    return rows.length > 0;
  }

  /** name → hash of the shipped file last loaded, for every shipped template (start-up skips those unchanged in one query). */
  async shippedHashes(): Promise<Map<string, string>> {
    const rows: Array<{ name: string; shipped_sha256: string }> = await this.db.query(`SELECT name, shipped_sha256 FROM prompt_templates WHERE shipped`);
    return new Map(rows.map((r) => [r.name, r.shipped_sha256]));
  }

  /**
   * Loads one shipped file (see docs/prompts.md for the rule): absent → version 1; same hash as last
   * seeded → nothing; changed → a new version, made active only if the template still runs the
   * previous shipped version (an admin's choice of version is never overridden).
   */
  async seed(name: string, v: NewVersion): Promise<SeedOutcome> {
    if (await this.create(name, v, true)) return 'created';
    return this.db.transaction(async (m) => {
      const rows = await m.query(`SELECT shipped, active_version, shipped_sha256, shipped_version FROM prompt_templates WHERE name = $1 FOR UPDATE`, [name]);
      const t = rows[0];
      if (!t.shipped) return 'skipped-custom';
      if (t.shipped_sha256 === v.sha256) return 'unchanged';
      const version = await this.nextVersion(m, name);
      await this.insertVersion(m, name, version, v);
      const follow = t.active_version === t.shipped_version;
      await m.query(
        `UPDATE prompt_templates SET shipped_sha256 = $2, shipped_version = $3, updated_at = now()
           ${follow ? ', active_version = $3, task = $4, language = $5' : ''} WHERE name = $1`,
        follow ? [name, v.sha256, version, v.task, v.language] : [name, v.sha256, version],
      );
      return follow ? 'updated-active' : 'updated-inactive';
    });
  }

  private async nextVersion(m: EntityManager, name: string): Promise<number> {
    const [row] = await m.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM prompt_template_versions WHERE template_name = $1`, [name]);
    return Number(row.next);
  }

  private async insertVersion(m: EntityManager, name: string, version: number, v: NewVersion): Promise<void> {
    await m.query(
      `INSERT INTO prompt_template_versions (template_name, version, source, description, task, language, sha256, origin, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [name, version, v.source, v.description, v.task, v.language, v.sha256, v.origin, v.createdBy],
    );
  }
}
