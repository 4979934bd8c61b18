import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/database/data-source.factory';
import { freshDataDir } from '../src/database/testing/embedded-template';
import { bearer, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(90_000);

async function waitForJob(t: TestApp, key: string, id: string, until = (s: string) => ['completed', 'failed', 'cancelled'].includes(s)) {
  for (let i = 0; i < 300; i++) {
    const res = await t.http().get(`/api/jobs/${id}`).set(bearer(key)).expect(200);
    if (until(res.body.status)) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${id} did not settle`);
}

describe('restart of the embedded server', () => {
  it('keeps keys and jobs, resumes interrupted jobs and settles those of a dead process', async () => {
    const dataDir = await freshDataDir();
    const first = await startTestApp({}, dataDir);
    const admin = first.adminKey as string;
    expect(admin).toBeTruthy();
    const viewer = (await first.http().post('/api/keys').set(bearer(admin)).send({ name: 'v', role: 'viewer' }).expect(201)).body.key;
    const running = (await first.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 1500 }).expect(201)).body.id;
    await waitForJob(first, admin, running, (s) => s === 'running');
    await first.close();
    expect(fs.existsSync(path.join(dataDir, 'zhiku.lock'))).toBe(false);

    // What a crash (kill -9) leaves behind: rows still 'running' for a process that is gone.
    const ds = await createDataSource(loadConfig({ DATA_DIR: dataDir }), { runMigrations: false });
    const insert = `INSERT INTO jobs (name, payload, status, attempts, max_attempts, worker)
                    VALUES ('system.diagnostic', '{"durationMs": 50}', 'running', $1, 3, $2) RETURNING id`;
    const [{ id: resumable }] = await ds.query(insert, [1, `${os.hostname()}:999999`]);
    const [{ id: exhausted }] = await ds.query(insert, [3, `${os.hostname()}:999999`]);
    await ds.destroy();

    const fixedAdmin = 'zk_fixed_admin_key_from_the_environment_0001';
    const second = await startTestApp({ ZHIKU_ADMIN_KEY: fixedAdmin }, dataDir);
    try {
      expect(second.adminKey).toBeNull(); // an admin exists: nothing new printed
      await second.http().get('/api/keys').set(bearer(admin)).expect(200);
      await second.http().get('/api/keys').set(bearer(fixedAdmin)).expect(200);
      await second.http().get('/api/keys/me').set(bearer(viewer)).expect(200);

      const resumed = await waitForJob(second, admin, running);
      expect(resumed).toMatchObject({ status: 'completed', attempts: 1 });
      expect(await waitForJob(second, admin, resumable)).toMatchObject({ status: 'completed', attempts: 2 });
      const failed = await waitForJob(second, admin, exhausted);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/^interrupted: the process running it \(.+:999999\) stopped$/);
    } finally {
      await second.close();
    }
  });
});
