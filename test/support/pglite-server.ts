import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { freshDataDir } from '../../src/database/testing/embedded-template';
import { freePort } from './redis-server';

/**
 * An "external PostgreSQL" for tests: PGlite with pgvector served over the wire protocol on a free
 * loopback port, reached through DATABASE_URL and the `pg` driver like a real server. It starts
 * from the migrated template, so the app finds its schema current.
 */
export async function startPgliteServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = await freshDataDir('zhiku-ext-db-');
  const db = await PGlite.create({ dataDir: path.join(dataDir, 'pgdata'), extensions: { vector } });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
