import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { freshDataDir } from '../src/database/testing/embedded-template';
import { bearer, startTestApp } from './support/test-app';
import { zhiku } from './support/run-zhiku';

jest.setTimeout(90_000);

describe('zhiku CLI on an embedded data directory', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await freshDataDir();
  });

  it('keys create / list / revoke with --json, and the key works over HTTP', async () => {
    const created = await zhiku('--data', dataDir, 'keys', 'create', '--name', 'ci', '--role', 'editor', '--json');
    expect(created).toMatchObject({ code: 0, err: '' });
    const key = JSON.parse(created.out);
    expect(key).toMatchObject({ name: 'ci', role: 'editor', knowledgeBases: 'all' });

    const listed = await zhiku('--data', dataDir, 'keys', 'list', '--json');
    expect(JSON.parse(listed.out).map((k: { name: string }) => k.name)).toEqual(['ci']);

    const human = await zhiku('--data', dataDir, 'keys', 'list');
    expect(human.out).toContain(`${key.prefix}…  editor  ci`);

    const t = await startTestApp({}, dataDir);
    try {
      await t.http().get('/api/keys/me').set(bearer(key.key)).expect(200);
    } finally {
      await t.close();
    }

    const revoked = await zhiku('--data', dataDir, 'keys', 'revoke', key.prefix, '--json');
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.out).revokedAt).not.toBeNull();
    const again = await zhiku('--data', dataDir, 'keys', 'revoke', key.prefix);
    expect(again).toMatchObject({ code: 1, err: 'zhiku: API key "ci" is already revoked\n' });
  });

  it('db migrate reports an up-to-date schema', async () => {
    expect(await zhiku('--data', dataDir, 'db', 'migrate', '--json')).toMatchObject({ code: 0, out: '{\n  "applied": []\n}\n' });
  });

  it('exit 2 for wrong usage, with the message on stderr', async () => {
    expect(await zhiku('--data', dataDir, 'keys', 'create', '--name', 'x', '--role', 'boss')).toMatchObject({
      code: 2,
      out: '',
      err: 'zhiku: --role must be one of viewer, editor, admin, got "boss"\n',
    });
    const unknown = await zhiku('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'frobnicate'/);
    const worker = await zhiku('--data', dataDir, 'worker');
    expect(worker).toMatchObject({ code: 2, err: 'zhiku: zhiku worker needs REDIS_URL; without Redis the API server runs jobs itself\n' });
  });

  it('exit 1 with a clear message when a server holds the data directory', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    const lock = path.join(dataDir, 'zhiku.lock');
    try {
      fs.writeFileSync(lock, `${holder.pid}\n`);
      expect(await zhiku('--data', dataDir, 'keys', 'list')).toMatchObject({
        code: 1,
        out: '',
        err: `zhiku: data directory ${dataDir} is in use by process ${holder.pid} (a running server?); stop it or set DATABASE_URL\n`,
      });
    } finally {
      holder.kill();
      fs.rmSync(lock, { force: true });
    }
  });

  it('exit 1 when the data directory is damaged', async () => {
    const damaged = await freshDataDir();
    fs.writeFileSync(path.join(damaged, 'pgdata', 'global', 'pg_control'), 'garbage');
    const result = await zhiku('--data', damaged, 'keys', 'list');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^zhiku: the embedded database in .*pgdata could not be opened .*it looks damaged/);
  });
});
