import { bearer, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(60_000);

describe('platform over HTTP (embedded PGlite, in-process queue)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT: '2kb' });
    admin = t.adminKey as string;
  });
  afterAll(async () => t?.close());

  it('printed a first admin key at start', () => {
    expect(admin).toMatch(/^zk_[A-Za-z0-9_-]{43}$/);
  });

  it('GET /health reports the database and the queue without a key', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      database: { status: 'ok', driver: 'pglite' },
      queue: { status: 'ok', driver: 'in-process' },
    });
  });

  describe('auth', () => {
    it('401 without a key, with the error body', async () => {
      const res = await t.http().get('/api/keys').expect(401);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: "missing API key: send the header 'Authorization: Bearer <key>'",
      });
    });

    it('401 for an unknown key and for a malformed header', async () => {
      expect((await t.http().get('/api/keys').set(bearer('zk_nope')).expect(401)).body.message).toBe('unknown API key');
      expect((await t.http().get('/api/keys').set('Authorization', 'Basic abc').expect(401)).body.message).toMatch(/malformed/);
    });

    it('keys CRUD: create, list, 403 for a lesser role, revoke, then 401', async () => {
      const created = await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'reader', role: 'viewer' }).expect(201);
      expect(created.body).toMatchObject({ name: 'reader', role: 'viewer', knowledgeBases: 'all', revokedAt: null });
      const viewerKey: string = created.body.key;
      expect(created.body.prefix).toBe(viewerKey.slice(0, 10));

      const list = await t.http().get('/api/keys').set(bearer(admin)).expect(200);
      expect(list.body.map((k: { name: string }) => k.name)).toEqual(['first admin', 'reader']);
      expect(JSON.stringify(list.body)).not.toContain(viewerKey);

      const me = await t.http().get('/api/keys/me').set(bearer(viewerKey)).expect(200);
      expect(me.body).toMatchObject({ keyName: 'reader', role: 'viewer' });

      const forbidden = await t.http().get('/api/keys').set(bearer(viewerKey)).expect(403);
      expect(forbidden.body.message).toBe('this needs the admin role; API key "reader" has the viewer role');

      const revoked = await t.http().delete(`/api/keys/${created.body.id}`).set(bearer(admin)).expect(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      const after = await t.http().get('/api/keys/me').set(bearer(viewerKey)).expect(401);
      expect(after.body.message).toMatch(/^API key "reader" was revoked at /);
    });

    it('keeps grants and refuses to revoke the last admin', async () => {
      const missing = '5b0e7a4e-2f7c-4a55-9a64-0e6f3f3f7a10';
      const refused = await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'kb', role: 'editor', knowledgeBaseIds: [missing] }).expect(400);
      expect(refused.body.message).toContain(missing);
      const kb = (await t.http().post('/api/knowledge-bases').set(bearer(admin)).send({ name: 'granted' }).expect(201)).body.id;
      const created = await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'kb', role: 'editor', knowledgeBaseIds: [kb] }).expect(201);
      expect(created.body.knowledgeBases).toEqual([kb]);
      const adminId = (await t.http().get('/api/keys/me').set(bearer(admin))).body.keyId;
      const res = await t.http().delete(`/api/keys/${adminId}`).set(bearer(admin)).expect(409);
      expect(res.body.message).toMatch(/last active admin key/);
      await t.http().delete('/api/keys/no-such-key').set(bearer(admin)).expect(404);
    });
  });

  describe('bad input', () => {
    it('field-level validation messages; unknown fields refused', async () => {
      const res = await t.http().post('/api/keys').set(bearer(admin)).send({ name: 7, role: 'owner', extra: true }).expect(400);
      expect(res.body.error).toBe('Bad Request');
      expect(res.body.details).toEqual(
        expect.arrayContaining([
          { field: 'extra', messages: ['property extra should not exist'] },
          expect.objectContaining({ field: 'name' }),
          { field: 'role', messages: ['role must be one of: viewer, editor, admin'] },
        ]),
      );
    });

    it('malformed JSON is a 400 with the error body', async () => {
      const res = await t.http().post('/api/keys').set(bearer(admin)).set('Content-Type', 'application/json').send('{"name": ').expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toMatch(/^malformed JSON body/);
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js/);
    });

    it('a body over BODY_LIMIT is a 413', async () => {
      const res = await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'x'.repeat(5000), role: 'viewer' }).expect(413);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'request body is larger than the limit of 2048 bytes (BODY_LIMIT)',
      });
    });

    it('unknown routes are 404 in the same format', async () => {
      const res = await t.http().get('/api/nothing-here').set(bearer(admin)).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });
  });

  describe('jobs (in-process queue)', () => {
    it('runs a job to completion with progress', async () => {
      const queued = await t.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 100, note: 'hi' }).expect(201);
      expect(queued.body.status).toBe('queued');
      const done = await waitForJob(queued.body.id);
      expect(done).toMatchObject({ status: 'completed', progress: 100, attempts: 1, result: { attempt: 1, note: 'hi' } });
    });

    it('retries with backoff until it succeeds', async () => {
      const queued = await t.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 0, failAttempts: 2, backoffMs: 50 }).expect(201);
      const done = await waitForJob(queued.body.id);
      expect(done).toMatchObject({ status: 'completed', attempts: 3 });
      expect(new Date(done.finishedAt).getTime() - new Date(done.createdAt).getTime()).toBeGreaterThanOrEqual(150);
    });

    it('fails after maxAttempts and can be retried by hand', async () => {
      const queued = await t.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 0, failAttempts: 1, maxAttempts: 1 }).expect(201);
      const failed = await waitForJob(queued.body.id);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/failed after 1 attempt\(s\): diagnostic failure on attempt 1/);
      await t.http().post(`/api/jobs/${queued.body.id}/retry`).set(bearer(admin)).expect(200);
      // attempts restart at zero, so attempt 1 fails again: the retry path itself is what is checked
      expect((await waitForJob(queued.body.id)).status).toBe('failed');
    });

    it('cancels a running job', async () => {
      const queued = await t.http().post('/api/jobs/diagnostic').set(bearer(admin)).send({ durationMs: 20_000 }).expect(201);
      await waitForJob(queued.body.id, (job) => job.status === 'running');
      await t.http().post(`/api/jobs/${queued.body.id}/cancel`).set(bearer(admin)).expect(200);
      const cancelled = await waitForJob(queued.body.id);
      expect(cancelled).toMatchObject({ status: 'cancelled', error: 'cancelled while running' });
      const again = await t.http().post(`/api/jobs/${queued.body.id}/cancel`).set(bearer(admin)).expect(409);
      expect(again.body.message).toMatch(/already cancelled/);
    });

    it('404 for an unknown job', async () => {
      await t.http().get('/api/jobs/00000000-0000-0000-0000-000000000000').set(bearer(admin)).expect(404);
    });
  });

  it('serves Prometheus metrics with request counts and latencies', async () => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/zhiku_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    expect(res.text).toMatch(/zhiku_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/api\/keys"\}/);
    expect(res.text).toMatch(/zhiku_jobs\{status="completed"\} [1-9]/);
  });

  it('serves the OpenAPI description at /docs', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/health', '/api/keys', '/api/jobs/{id}']));
    await t.http().get('/docs/').expect(200);
  });

  async function waitForJob(id: string, until = (job: { status: string }) => ['completed', 'failed', 'cancelled'].includes(job.status)) {
    for (let i = 0; i < 200; i++) {
      const res = await t.http().get(`/api/jobs/${id}`).set(bearer(admin)).expect(200);
      if (until(res.body)) return res.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`job ${id} did not settle`);
  }
});
