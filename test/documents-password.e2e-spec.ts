import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { IngestDocumentHandler } from '../src/documents/ingest-document.handler';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

const PDF_AES256 = path.resolve(__dirname, '..', '..', 'shared', 'data', 'docs', 'pdf', 'pdfminer__aes-256-r6.pdf');
const PASSWORD = 'usersecret';
const TERMINAL = ['completed', 'failed', 'cancelled'];

describe('the password of an encrypted upload is never stored in clear', () => {
  let t: TestApp;
  let admin: string;
  let db: DataSource;
  const auth = () => bearer(admin);

  async function jobEnded(jobId: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = (await t.http().get(`/api/jobs/${jobId}`).set(auth()).expect(200)).body;
      if (TERMINAL.includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    // Debug level: every log line the app writes is kept and searched for the password below.
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'debug' });
    admin = t.adminKey!;
    db = t.app.get(DataSource);
    // Records every payload ever written to the ledger, so what the job carried in flight is seen too.
    await db.query(`CREATE TABLE seen_payloads (at timestamptz DEFAULT clock_timestamp(), payload jsonb)`);
    await db.query(`CREATE FUNCTION remember_payload() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO seen_payloads (payload) VALUES (NEW.payload); RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER remember_payload AFTER INSERT OR UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION remember_payload()`);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('an AES-256 PDF uploaded with its password becomes ready; the ledger only ever held it sealed, and drops it when the job ends', async () => {
    const kb = (await t.http().post('/api/knowledge-bases').set(auth()).send({ name: 'sealed' }).expect(201)).body.id;
    const up = await t.http().post(`/api/knowledge-bases/${kb}/documents`).set(auth()).field('password', PASSWORD).attach('files', PDF_AES256).expect(201);
    const { id, jobId } = up.body.documents[0];
    const job = await jobEnded(jobId);
    expect(job).toMatchObject({ status: 'completed', result: { status: 'ready' } });
    const doc = (await t.http().get(`/api/documents/${id}`).set(auth()).expect(200)).body;
    expect(doc).toMatchObject({ status: 'ready', error: null });
    const chunks = (await t.http().get(`/api/documents/${id}/chunks`).set(auth()).expect(200)).body.chunks;
    expect(chunks.map((c: { text: string }) => c.text).join(' ')).toContain('Hello World');

    const seen: Array<{ payload: Record<string, unknown> }> = await db.query(`SELECT payload FROM seen_payloads ORDER BY at`);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[0].payload).toEqual({ documentId: id, sealed: expect.stringMatching(/^v1\.[0-9a-f]{8}\./) });
    expect(JSON.stringify(seen)).not.toContain(PASSWORD);
    const [row] = await db.query(`SELECT payload, result, error FROM jobs WHERE id = $1`, [jobId]);
    expect(row.payload).toEqual({ documentId: id });
    expect(JSON.stringify(await db.query(`SELECT * FROM jobs`))).not.toContain(PASSWORD);

    // Nor does it show anywhere a person can look: the jobs API, the audit log, the server's log.
    const jobsApi = await t.http().get('/api/jobs').set(auth()).expect(200);
    const audit = await t.http().get('/api/audit').set(auth()).expect(200);
    expect(JSON.stringify(audit.body)).toContain('/documents');
    for (const text of [JSON.stringify(job), JSON.stringify(jobsApi.body), JSON.stringify(audit.body), t.logs.join('\n')]) {
      expect(text).not.toContain(PASSWORD);
    }
    expect(t.logs.length).toBeGreaterThan(0);

    // A re-ingest with the wrong password fails for real; the document keeps its chunks.
    const wrong = await t.http().post(`/api/documents/${id}/reingest`).set(auth()).send({ password: 'not-the-password' }).expect(202);
    await jobEnded(wrong.body.jobId);
    const kept = (await t.http().get(`/api/documents/${id}`).set(auth()).expect(200)).body;
    expect(kept).toMatchObject({ status: 'ready', chunks: doc.chunks, lastErrorCode: 'encrypted' });
    expect(JSON.stringify(await db.query(`SELECT payload FROM seen_payloads`))).not.toContain('not-the-password');
  });

  it('a password sealed under another key fails the ingestion with a reason, and is not retried', async () => {
    const kb = (await t.http().post('/api/knowledge-bases').set(auth()).send({ name: 'foreign key' }).expect(201)).body.id;
    const up = await t.http().post(`/api/knowledge-bases/${kb}/documents`).set(auth()).attach('files', PDF_AES256).expect(201);
    const { id, jobId } = up.body.documents[0];
    await jobEnded(jobId);
    const foreign = `v1.00000000.${Buffer.alloc(40, 1).toString('base64url')}`;
    const outcome = await t.app.get(IngestDocumentHandler).run({ documentId: id, sealed: foreign }, { signal: new AbortController().signal, progress: async () => undefined });
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(outcome.error).toMatch(/^the password sent with this document cannot be read \(sealed under another server key .*\); re-ingest it with the password$/);
    const doc = (await t.http().get(`/api/documents/${id}`).set(auth()).expect(200)).body;
    expect(doc).toMatchObject({ status: 'failed', errorCode: 'sealed_password', lastErrorCode: 'sealed_password' });
  });
});
