import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { loadConfig } from '../config';
import { createDataSource } from './data-source.factory';
import { CorruptDataDirError, DataDirInUseError, DatabaseUnavailableError } from './database.errors';
import { freshDataDir } from './testing/embedded-template';

jest.setTimeout(60_000);

describe('createDataSource (embedded PGlite)', () => {
  it('opens a migrated data directory with pgvector and keeps data across reopen', async () => {
    const dataDir = await freshDataDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    let ds = await createDataSource(config, { runMigrations: true });
    expect(await ds.query(`SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector AS d`)).toEqual([{ d: 1 }]);
    await ds.query(`INSERT INTO api_keys (name, role, key_hash, key_prefix) VALUES ('a', 'viewer', repeat('a', 64), 'zk_a')`);
    await ds.destroy();
    expect(fs.existsSync(path.join(dataDir, 'zhiku.lock'))).toBe(false);

    ds = await createDataSource(config, { runMigrations: true });
    expect(await ds.query(`SELECT name FROM api_keys`)).toEqual([{ name: 'a' }]);
    await ds.destroy();
  });

  it('keeps a transaction to itself while other queries wait their turn', async () => {
    const ds = await createDataSource(loadConfig({ DATA_DIR: await freshDataDir() }), { runMigrations: false });
    const insert = (name: string) =>
      `INSERT INTO api_keys (name, role, key_hash, key_prefix) VALUES ('${name}', 'viewer', repeat('${name}', 64), 'p')`;
    const tx = ds
      .transaction(async (manager) => {
        await manager.query(insert('t'));
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('roll back');
      })
      .catch((e: Error) => e.message);
    const outside = ds.query(insert('o'));
    expect(await tx).toBe('roll back');
    await outside;
    expect(await ds.query(`SELECT name FROM api_keys ORDER BY name`)).toEqual([{ name: 'o' }]);
    await ds.destroy();
  });

  it('refuses a data directory held by another live process', async () => {
    const dataDir = await freshDataDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      fs.writeFileSync(path.join(dataDir, 'zhiku.lock'), `${holder.pid}\n`);
      const error = await createDataSource(loadConfig({ DATA_DIR: dataDir }), { runMigrations: false }).catch((e) => e);
      expect(error).toBeInstanceOf(DataDirInUseError);
      expect(error.message).toBe(
        `data directory ${dataDir} is in use by process ${holder.pid} (a running server?); stop it or set DATABASE_URL`,
      );
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock left by a dead process', async () => {
    const dataDir = await freshDataDir();
    fs.writeFileSync(path.join(dataDir, 'zhiku.lock'), '999999\n');
    const ds = await createDataSource(loadConfig({ DATA_DIR: dataDir }), { runMigrations: false });
    expect(fs.readFileSync(path.join(dataDir, 'zhiku.lock'), 'utf8').trim()).toBe(String(process.pid));
    await ds.destroy();
  });

  it('reports a damaged data directory clearly', async () => {
    const dataDir = await freshDataDir();
    fs.writeFileSync(path.join(dataDir, 'pgdata', 'global', 'pg_control'), 'garbage');
    const error = await createDataSource(loadConfig({ DATA_DIR: dataDir }), { runMigrations: false }).catch((e) => e);
    expect(error).toBeInstanceOf(CorruptDataDirError);
    expect(error.message).toMatch(/could not be opened .* it looks damaged/);
    expect(fs.existsSync(path.join(dataDir, 'zhiku.lock'))).toBe(false);
  });

  it('fails fast with a clear message when DATABASE_URL does not answer', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://zhiku:secret@127.0.0.1:1/zhiku', DATABASE_CONNECT_TIMEOUT_MS: '2000' });
    const error = await createDataSource(config, { runMigrations: true }).catch((e) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toMatch(/could not connect to the database at postgres:\/\/zhiku:\*\*\*@127\.0\.0\.1:1\/zhiku: ECONNREFUSED/);
  });
});
