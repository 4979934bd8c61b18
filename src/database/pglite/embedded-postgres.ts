import * as fs from 'node:fs';
import * as path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { CorruptDataDirError } from '../database.errors';

export const PGDATA_FOLDER = 'pgdata';

/** TypeORM sends booleans as JS values, 1/0 or strings; PGlite wants SQL literals (as typeorm-pglite does). */
function serializeBoolean(value: unknown): string {
  if (value === true || value === 'true' || value === 1) return 'TRUE';
  if (value === false || value === 'false' || value === 0) return 'FALSE';
  return String(value);
}

/**
 * Opens (creating on first use) the embedded PostgreSQL of a data directory, with pgvector loaded.
 * A directory PGlite cannot open becomes CorruptDataDirError, never a WASM abort on the console.
 * The caller must hold the DataDirLock.
 */
export async function openEmbeddedPostgres(dataDir: string): Promise<PGlite> {
  const pgDataDir = path.join(dataDir, PGDATA_FOLDER);
  const existed = fs.existsSync(path.join(pgDataDir, 'PG_VERSION'));
  if (fs.existsSync(pgDataDir) && !existed && fs.readdirSync(pgDataDir).length > 0) {
    throw new CorruptDataDirError(pgDataDir, 'PG_VERSION is missing');
  }
  fs.mkdirSync(pgDataDir, { recursive: true });
  let db: PGlite;
  try {
    db = await PGlite.create({
      dataDir: pgDataDir,
      extensions: { vector },
      serializers: { [types.BOOL]: serializeBoolean },
    });
    await db.query('SELECT 1');
  } catch (error) {
    if (!existed) throw error;
    throw new CorruptDataDirError(pgDataDir, (error as Error).message ?? String(error));
  }
  return db;
}
