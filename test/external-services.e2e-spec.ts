import { INestApplicationContext } from '@nestjs/common';
import { createAppContext } from '../src/app.factory';
import { loadConfig } from '../src/config';
import { startPgliteServer } from './support/pglite-server';
import { redisServerInstalled, startRedis } from './support/redis-server';
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

describe('external PostgreSQL through DATABASE_URL (pglite-socket + pg driver)', () => {
  let db: { url: string; stop(): Promise<void> };
  let t: TestApp;

  beforeAll(async () => {
    db = await startPgliteServer();
    t = await startTestApp({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: '2' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.stop();
  });

  it('reports the postgres driver in /health', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body.database).toMatchObject({ status: 'ok', driver: 'postgres' });
  });

  it('creates keys and runs jobs in-process on the external database', async () => {
    const admin = t.adminKey as string;
    await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'ext', role: 'editor' }).expect(201);
    const queued = await t.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 50 }).expect(201);
    expect((await waitForJob(t, admin, queued.body.id)).status).toBe('completed');
  });
});

describe('unreachable services', () => {
  it('fails start-up at once with a clear message when REDIS_URL does not answer', async () => {
    const error = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^could not connect to Redis at redis:\/\/127\.0\.0\.1:1: /);
  });
});

const describeRedis = redisServerInstalled() ? describe : describe.skip;
if (!redisServerInstalled()) {
  // Visible in the run's output: the BullMQ path was not exercised on this machine.
  console.warn('SKIPPED: BullMQ tests need redis-server (apt-get install -y redis-server; .ci/run installs it)');
}

describeRedis('BullMQ on Redis with a separate worker (REDIS_URL + DATABASE_URL)', () => {
  let db: { url: string; stop(): Promise<void> };
  let redis: { url: string; stop(): Promise<void> };
  let api: TestApp;
  let worker: INestApplicationContext;
  let admin: string;

  beforeAll(async () => {
    [db, redis] = await Promise.all([startPgliteServer(), startRedis()]);
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, DATABASE_POOL_SIZE: '2' };
    api = await startTestApp(env);
    admin = api.adminKey as string;
    worker = await createAppContext(loadConfig({ ...env, LOG_LEVEL: 'error' }), 'worker');
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await redis?.stop();
    await db?.stop();
  });

  it('reports the bullmq driver in /health', async () => {
    const res = await api.http().get('/health').expect(200);
    expect(res.body.queue).toMatchObject({ status: 'ok', driver: 'bullmq' });
  });

  it('a job enqueued by the API is completed by the worker', async () => {
    const queued = await api.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 100, note: 'via redis' }).expect(201);
    const done = await waitForJob(api, admin, queued.body.id);
    expect(done).toMatchObject({ status: 'completed', progress: 100, result: { note: 'via redis' } });
    expect(done.worker).toMatch(/^.+:\d+$/);
  });

  it('retries with backoff through delayed BullMQ deliveries', async () => {
    const queued = await api.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 0, failAttempts: 2, backoffMs: 100 }).expect(201);
    const done = await waitForJob(api, admin, queued.body.id);
    expect(done).toMatchObject({ status: 'completed', attempts: 3 });
  });

  it('a job running when its worker stops is handed to the next worker', async () => {
    const queued = await api.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 1500 }).expect(201);
    await waitForJob(api, admin, queued.body.id, (s) => s === 'running');
    await worker.close();
    const between = await api.http().get(`/api/jobs/${queued.body.id}`).set(bearer(admin)).expect(200);
    expect(between.body).toMatchObject({ status: 'queued', error: 'interrupted by shutdown; resumes at next start' });
    worker = await createAppContext(loadConfig({ DATABASE_URL: db.url, REDIS_URL: redis.url, DATABASE_POOL_SIZE: '2', LOG_LEVEL: 'error' }), 'worker');
    expect(await waitForJob(api, admin, queued.body.id)).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('cancels a job running on the worker (pub/sub)', async () => {
    const queued = await api.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 30_000 }).expect(201);
    await waitForJob(api, admin, queued.body.id, (s) => s === 'running');
    await api.http().post(`/api/jobs/${queued.body.id}/cancel`).set(bearer(admin)).expect(200);
    expect(await waitForJob(api, admin, queued.body.id)).toMatchObject({ status: 'cancelled' });
  });
});
