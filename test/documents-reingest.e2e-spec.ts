import * as fs from 'node:fs';
import * as path from 'node:path';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

const DATA = path.resolve(__dirname, '..', '..', 'shared', 'data', 'docs', 'pdf');
const PDF_ZH = path.join(DATA, 'pdfjs__issue12823.pdf');
/** 14 pages: long enough to cancel or delete while it is being parsed. */
const PDF_LONG = path.join(DATA, 'pdfjs__tracemonkey.pdf');
const PDF_TRUNCATED = path.join(DATA, 'pdfjs__bug1020226.pdf');
const TERMINAL = ['completed', 'failed', 'cancelled'];

interface Doc {
  id: string;
  status: string;
  sha256: string;
  jobId: string;
  chunks: number;
  [key: string]: unknown;
}

describe('re-ingest never loses the searchable version of a document', () => {
  let t: TestApp;
  let admin: string;
  let kb: string;
  const auth = () => bearer(admin);
  const storedFile = (sha256: string) => path.join(t.config.filesDir, sha256.slice(0, 2), sha256);

  const getDoc = async (id: string): Promise<Doc> => (await t.http().get(`/api/documents/${id}`).set(auth()).expect(200)).body;

  /** Waits for the document's current job to end, then reads the document. */
  async function afterJob(id: string): Promise<{ doc: Doc; job: { status: string; result: Record<string, unknown> | null } }> {
    const { jobId } = await getDoc(id);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = (await t.http().get(`/api/jobs/${jobId}`).set(auth()).expect(200)).body;
      if (TERMINAL.includes(job.status)) return { doc: await getDoc(id), job };
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function upload(file: string): Promise<Doc> {
    const up = await t.http().post(`/api/knowledge-bases/${kb}/documents`).set(auth()).attach('files', file).expect(201);
    return (await afterJob(up.body.documents[0].id)).doc;
  }

  const hitsFor = async (query: string, documentId: string): Promise<number> => {
    const res = await t.http().post('/api/search').set(auth()).send({ query, knowledgeBases: [kb], k: 10 }).expect(200);
    return res.body.results.filter((h: { documentId: string }) => h.documentId === documentId).length;
  };
  const chunkIds = async (id: string): Promise<string[]> =>
    (await t.http().get(`/api/documents/${id}/chunks`).set(auth()).expect(200)).body.chunks.map((c: { id: string }) => c.id);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    admin = t.adminKey!;
    kb = (await t.http().post('/api/knowledge-bases').set(auth()).send({ name: 'reingest' }).expect(201)).body.id;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a failed re-ingest keeps the document ready and searchable with its previous chunks and records why; a later success clears it', async () => {
    const doc = await upload(PDF_ZH);
    expect(doc).toMatchObject({ status: 'ready', lastError: null, lastErrorCode: null, lastErrorAt: null });
    expect(await hitsFor('团队的共同目标', doc.id)).toBeGreaterThan(0);
    const before = await chunkIds(doc.id);

    // A genuine failure: the stored original is gone, so parsing fails with missing_original.
    const original = storedFile(doc.sha256);
    fs.renameSync(original, `${original}.away`);
    const queued = await t.http().post(`/api/documents/${doc.id}/reingest`).set(auth()).send({}).expect(202);
    expect(queued.body).toMatchObject({ status: 'queued', chunks: before.length });
    // While the re-ingest is under way the previous chunks still answer.
    expect(await hitsFor('团队的共同目标', doc.id)).toBeGreaterThan(0);

    const failed = await afterJob(doc.id);
    expect(failed.job).toMatchObject({ status: 'completed', result: { status: 'failed', previousKept: true } });
    expect(failed.doc).toMatchObject({ status: 'ready', error: null, errorCode: null, lastErrorCode: 'missing_original', chunks: before.length, progress: 100 });
    expect(failed.doc.lastError).toMatch(/stored original .* is missing from FILES_DIR/);
    expect(Date.parse(failed.doc.lastErrorAt as string)).toBeGreaterThan(Date.parse(doc.readyAt as string));
    expect(failed.doc.readyAt).toBe(doc.readyAt);
    expect(await chunkIds(doc.id)).toEqual(before);
    expect(await hitsFor('团队的共同目标', doc.id)).toBeGreaterThan(0);

    fs.renameSync(`${original}.away`, original);
    await t.http().post(`/api/documents/${doc.id}/reingest`).set(auth()).send({}).expect(202);
    const healed = await afterJob(doc.id);
    expect(healed.doc).toMatchObject({ status: 'ready', lastError: null, lastErrorCode: null, lastErrorAt: null, chunks: before.length });
    const after = await chunkIds(doc.id);
    expect(after).toHaveLength(before.length);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(await hitsFor('团队的共同目标', doc.id)).toBeGreaterThan(0);
  });

  it('a cancelled re-ingest leaves the previous version ready; a document that never was ready still fails', async () => {
    const doc = await upload(PDF_LONG);
    expect(doc.status).toBe('ready');
    const before = await chunkIds(doc.id);
    const queued = await t.http().post(`/api/documents/${doc.id}/reingest`).set(auth()).send({}).expect(202);
    await t.http().post(`/api/jobs/${queued.body.jobId}/cancel`).set(auth()).expect(200);
    const { doc: cancelled, job } = await afterJob(doc.id);
    expect(job.status).toBe('cancelled');
    expect(cancelled).toMatchObject({ status: 'ready', error: null, chunks: before.length });
    expect(cancelled.lastError).toMatch(/cancel/);
    expect(await chunkIds(doc.id)).toEqual(before);
    expect(await hitsFor('trace-based JIT compilation', doc.id)).toBeGreaterThan(0);

    const broken = await upload(PDF_TRUNCATED);
    expect(broken).toMatchObject({ status: 'failed', errorCode: 'corrupt', lastErrorCode: 'corrupt', chunks: 0 });
    expect(broken.lastError).toBe(broken.error);
  });

  it('deleting a document during its re-ingest deletes it, chunks and search entries included', async () => {
    const doc = ((await t.http().get(`/api/knowledge-bases/${kb}/documents`).set(auth()).expect(200)).body as Doc[]).find((d) => d.filename === 'pdfjs__tracemonkey.pdf')!;
    const queued = await t.http().post(`/api/documents/${doc.id}/reingest`).set(auth()).send({}).expect(202);
    await t.http().delete(`/api/documents/${doc.id}`).set(auth()).expect(200);
    await t.http().get(`/api/documents/${doc.id}`).set(auth()).expect(404);
    const deadline = Date.now() + 60_000;
    let job: { status: string; result: { status?: string } | null };
    for (;;) {
      job = (await t.http().get(`/api/jobs/${queued.body.jobId}`).set(auth()).expect(200)).body;
      if (TERMINAL.includes(job.status) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toMatchObject({ status: 'completed', result: { status: 'deleted' } });
    await t.http().get(`/api/documents/${doc.id}`).set(auth()).expect(404);
    await t.http().get(`/api/documents/${doc.id}/chunks`).set(auth()).expect(404);
    expect(await hitsFor('trace-based JIT compilation', doc.id)).toBe(0);
    expect(fs.existsSync(storedFile(doc.sha256))).toBe(false);
  });
});
