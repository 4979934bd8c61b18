import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { ALL_MIGRATIONS } from '../../../migrations';
import { createDataSource } from '../data-source.factory';
import { PGDATA_FOLDER } from '../pglite/embedded-postgres';

/**
 * Test support: a fully migrated embedded data directory made once (first open of a new PGlite
 * directory costs 5-15 s) and copied for every test that needs a fresh database (a copy plus a
 * reopen costs about 1 s). Keyed by the migrations' code, so a new or changed migration makes a new template.
 */
function templateDir(): string {
  const key = createHash('sha256')
    .update(ALL_MIGRATIONS.map((m) => `${m.name}:${m.toString()}`).join('\n'))
    .digest('hex')
    .slice(0, 12);
  return path.join(os.tmpdir(), `zhiku-pg-template-${key}`);
}

async function ensureTemplate(): Promise<string> {
  const dir = templateDir();
  if (fs.existsSync(path.join(dir, 'READY'))) return dir;
  const building = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-pg-template-build-'));
  const dataSource = await createDataSource(loadConfig({ DATA_DIR: building }), { runMigrations: true });
  await dataSource.destroy();
  fs.writeFileSync(path.join(building, 'READY'), new Date().toISOString());
  try {
    fs.renameSync(building, dir);
  } catch {
    fs.rmSync(building, { recursive: true, force: true }); // another process made it first
  }
  return dir;
}

const created: string[] = [];
let cleanupRegistered = false;

/** Each copy is 40 MB: they go when the test process exits. */
function removeOnExit(dir: string): void {
  created.push(dir);
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.once('exit', () => {
    for (const d of created) fs.rmSync(d, { recursive: true, force: true });
  });
}

/** A new, migrated, empty data directory under the OS temp folder (removed at exit); returns its path. */
export async function freshDataDir(prefix = 'zhiku-test-'): Promise<string> {
  const template = await ensureTemplate();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  removeOnExit(dataDir);
  fs.cpSync(path.join(template, PGDATA_FOLDER), path.join(dataDir, PGDATA_FOLDER), { recursive: true });
  return dataDir;
}
