import * as fs from 'node:fs';
import * as path from 'node:path';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

const DATA = path.resolve(__dirname, '..', '..', 'shared', 'data', 'docs');
const PDF_ZH = path.join(DATA, 'pdf', 'pdfjs__issue12823.pdf');
const PDF_ENCRYPTED = path.join(DATA, 'pdf', 'pdfjs__issue6010_1.pdf');
const PDF_TRUNCATED = path.join(DATA, 'pdf', 'pdfjs__bug1020226.pdf');
const XLSX_ZH = path.join(DATA, 'xlsx', 'easyexcel__t02.xlsx');
const UPLOAD_LIMIT = 200 * 1024;

interface Doc {
  id: string;
  status: string;
  error: string | null;
  duplicate?: boolean;
  [key: string]: unknown;
}

describe('documents over HTTP (knowledge bases, uploads, ingestion, chunks, access)', () => {
  let t: TestApp;
  let admin: string;
  let kbA: string;
  let kbB: string;
  let viewer: string;
  const auth = () => bearer(admin);

  /** Polls the document until ingestion settles (ready or failed). */
  async function settled(id: string, key = admin): Promise<Doc> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await t.http().get(`/api/documents/${id}`).set(bearer(key)).expect(200);
      if (res.body.status === 'ready' || res.body.status === 'failed') return res.body;
      if (Date.now() > deadline) throw new Error(`document ${id} still ${res.body.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const storedFile = (sha256: string) => path.join(t.config.filesDir, sha256.slice(0, 2), sha256);

  beforeAll(async () => {
    t = await startTestApp({ UPLOAD_LIMIT: String(UPLOAD_LIMIT), RATE_LIMIT_PER_MINUTE: '100000' });
    admin = t.adminKey!;
    kbA = (await t.http().post('/api/knowledge-bases').set(auth()).send({ name: '产品手册', description: 'A' }).expect(201)).body.id;
    kbB = (await t.http().post('/api/knowledge-bases').set(auth()).send({ name: 'Secret B' }).expect(201)).body.id;
    viewer = (await t.http().post('/api/keys').set(auth()).send({ name: 'reader of A', role: 'viewer', knowledgeBaseIds: [kbA] }).expect(201)).body.key;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('knowledge bases: create, unique names, rename, viewers see only granted ones and cannot write', async () => {
    const taken = await t.http().post('/api/knowledge-bases').set(auth()).send({ name: '产品手册' }).expect(409);
    expect(taken.body.message).toBe('a knowledge base named "产品手册" already exists');
    await t.http().post('/api/knowledge-bases').set(auth()).send({ name: '' }).expect(400);

    const renamed = await t.http().patch(`/api/knowledge-bases/${kbB}`).set(auth()).send({ name: 'Secret B2' }).expect(200);
    expect(renamed.body).toMatchObject({ id: kbB, name: 'Secret B2', documentCount: 0 });

    const all = await t.http().get('/api/knowledge-bases').set(auth()).expect(200);
    expect(all.body.map((kb: { name: string }) => kb.name).sort()).toEqual(['Secret B2', '产品手册']);
    expect(all.body.find((kb: { id: string }) => kb.id === kbA)).toMatchObject({ name: '产品手册', description: 'A', documentCount: 0 });
    const seen = await t.http().get('/api/knowledge-bases').set(bearer(viewer)).expect(200);
    expect(seen.body.map((kb: { id: string }) => kb.id)).toEqual([kbA]);
    await t.http().get(`/api/knowledge-bases/${kbB}`).set(bearer(viewer)).expect(404);
    await t.http().post('/api/knowledge-bases').set(bearer(viewer)).send({ name: 'mine' }).expect(403);
    await t.http().delete(`/api/knowledge-bases/${kbA}`).set(bearer(viewer)).expect(403);
    await t.http().get('/api/knowledge-bases/not-a-uuid').set(auth()).expect(404);

    // An editor limited to A may create a knowledge base, and is granted the one it made (not B).
    const editor = (await t.http().post('/api/keys').set(auth()).send({ name: 'editor of A', role: 'editor', knowledgeBaseIds: [kbA] }).expect(201)).body.key;
    const own = (await t.http().post('/api/knowledge-bases').set(bearer(editor)).send({ name: 'Drafts' }).expect(201)).body;
    const editorSees = (await t.http().get('/api/knowledge-bases').set(bearer(editor)).expect(200)).body.map((kb: { id: string }) => kb.id);
    expect(editorSees.sort()).toEqual([kbA, own.id].sort());
    await t.http().patch(`/api/knowledge-bases/${kbB}`).set(bearer(editor)).send({ name: 'taken over' }).expect(404);
    await t.http().delete(`/api/knowledge-bases/${own.id}`).set(bearer(editor)).expect(200);
  });

  it('ingests a Chinese PDF and a Chinese xlsx uploaded together; chunks carry page and cell provenance; search finds them', async () => {
    const up = await t.http().post(`/api/knowledge-bases/${kbA}/documents`).set(auth()).attach('files', PDF_ZH).attach('files', XLSX_ZH, '配方.xlsx').expect(201);
    expect(up.body.documents).toHaveLength(2);
    expect(up.body.documents.map((d: Doc) => [d.filename, d.duplicate, d.status])).toEqual([
      ['pdfjs__issue12823.pdf', false, 'queued'],
      ['配方.xlsx', false, 'queued'],
    ]);
    const [pdf, xlsx] = await Promise.all(up.body.documents.map((d: Doc) => settled(d.id)));

    expect(pdf).toMatchObject({ status: 'ready', format: 'pdf', pages: 1, blocks: 8, error: null, progress: 100 });
    expect(pdf.chunks).toBeGreaterThan(0);
    expect(pdf.characters).toBeGreaterThan(60);
    const pdfChunks = (await t.http().get(`/api/documents/${pdf.id}/chunks`).set(auth()).expect(200)).body;
    expect(pdfChunks.total).toBe(pdf.chunks);
    const vision = pdfChunks.chunks.find((c: { text: string }) => c.text.includes('描述团队的共同目标，有利于团队成员理解目标并朝着目标努力。'));
    expect(vision).toBeDefined();
    expect(vision.provenance.pages).toEqual([1]);
    expect(vision.provenance.headingPath).toContain('愿景');
    expect(vision.provenance.bboxes[0]).toMatchObject({ page: 1, bbox: { x: expect.any(Number), y: expect.any(Number) } });
    expect(pdfChunks.chunks.map((c: { text: string }) => c.text).join('\n')).toContain('介绍知识库的主要内容、面向的群体。');

    expect(xlsx).toMatchObject({ status: 'ready', format: 'xlsx', filename: '配方.xlsx' });
    const rows = (await t.http().get(`/api/documents/${xlsx.id}/chunks`).set(auth()).expect(200)).body.chunks;
    const row = rows.find((c: { text: string }) => c.text.includes('原料编号: 01502200'));
    expect(row).toMatchObject({ kind: 'table' });
    expect(row.text).toContain('标准中文名: 1,2-戊二醇');
    expect(row.provenance.sheets).toEqual(['测试配方1027']);
    expect(row.provenance.cellRanges).toContain('A3:R3');

    const list = await t.http().get(`/api/knowledge-bases/${kbA}/documents`).set(bearer(viewer)).expect(200);
    expect(list.body.map((d: Doc) => d.id).sort()).toEqual([pdf.id, xlsx.id].sort());

    const hits = await t.http().post('/api/search').set(bearer(viewer)).send({ query: '团队的共同目标', knowledgeBases: [kbA], k: 3 }).expect(200);
    expect(hits.body.results[0]).toMatchObject({ documentId: pdf.id });

    const file = await t.http().get(`/api/documents/${pdf.id}/file`).set(bearer(viewer)).buffer(true).parse((res, cb) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => cb(null, Buffer.concat(parts)));
    }).expect(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toContain('filename="pdfjs__issue12823.pdf"');
    expect(Buffer.compare(file.body as Buffer, fs.readFileSync(PDF_ZH))).toBe(0);
    const xfile = await t.http().get(`/api/documents/${xlsx.id}/file`).set(auth()).expect(200);
    expect(xfile.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('配方.xlsx')}`);
  });

  it('the same bytes uploaded again into a knowledge base are recognised and stored once', async () => {
    const before = (await t.http().get(`/api/knowledge-bases/${kbA}/documents`).set(auth())).body as Doc[];
    const original = before.find((d) => d.filename === 'pdfjs__issue12823.pdf')!;
    const again = await t.http().post(`/api/knowledge-bases/${kbA}/documents`).set(auth()).attach('files', PDF_ZH, 'renamed copy.pdf').expect(201);
    expect(again.body.documents[0]).toMatchObject({ id: original.id, duplicate: true, status: 'ready', filename: 'pdfjs__issue12823.pdf' });
    const after = (await t.http().get(`/api/knowledge-bases/${kbA}/documents`).set(auth())).body as Doc[];
    expect(after).toHaveLength(before.length);
    expect(fs.readdirSync(path.join(t.config.filesDir, (original.sha256 as string).slice(0, 2)))).toEqual([original.sha256]);
    expect(fs.readdirSync(path.join(t.config.filesDir, '.incoming'))).toEqual([]);
  });

  it('an encrypted PDF fails alone with "encrypted: password required" while the other file of the upload succeeds; uploading it again with the password, and re-ingest, replace chunks', async () => {
    const up = await t.http().post(`/api/knowledge-bases/${kbB}/documents`).set(auth()).attach('files', PDF_ENCRYPTED).attach('files', PDF_ZH).expect(201);
    const [locked, plain] = await Promise.all(up.body.documents.map((d: Doc) => settled(d.id)));
    expect(locked).toMatchObject({ status: 'failed', error: 'encrypted: password required', errorCode: 'encrypted', chunks: 0 });
    expect(up.body.documents.map((d: Doc) => d.duplicate)).toEqual([false, false]); // new in B, though A has the same bytes
    expect(plain).toMatchObject({ status: 'ready', error: null });
    expect((await t.http().get(`/api/documents/${locked.id}/chunks`).set(auth()).expect(200)).body.total).toBe(0);

    // The same bytes uploaded again after a failure, now with the password: a new try, not a no-op.
    const retry = await t.http().post(`/api/knowledge-bases/${kbB}/documents`).set(auth()).field('password', 'abc').attach('files', PDF_ENCRYPTED).expect(201);
    expect(retry.body.documents[0]).toMatchObject({ id: locked.id, duplicate: true, status: 'queued' });
    const opened = await settled(locked.id);
    expect(opened).toMatchObject({ status: 'ready', error: null });
    const chunks = (await t.http().get(`/api/documents/${locked.id}/chunks`).set(auth()).expect(200)).body.chunks;
    expect(chunks.map((c: { text: string }) => c.text).join(' ')).toContain('Issue 6010');
    // Its one page has too little text to trust, so it was OCR'd, and the job's result says so.
    const job = (await t.http().get(`/api/jobs/${opened.jobId}`).set(auth()).expect(200)).body;
    expect(job).toMatchObject({ status: 'completed', result: { status: 'ready', documentId: locked.id, pages: 1, ocrPages: 1, error: null } });

    // Re-ingest swaps the chunks: same content, new rows, never a mix.
    const before = (await t.http().get(`/api/documents/${plain.id}/chunks`).set(auth()).expect(200)).body.chunks;
    const again = await t.http().post(`/api/documents/${plain.id}/reingest`).set(auth()).send({}).expect(202);
    expect(again.body.status).toBe('queued');
    expect(await settled(plain.id)).toMatchObject({ status: 'ready', chunks: before.length });
    const after = (await t.http().get(`/api/documents/${plain.id}/chunks`).set(auth()).expect(200)).body.chunks;
    expect(after.map((c: { text: string }) => c.text)).toEqual(before.map((c: { text: string }) => c.text));
    expect(after.map((c: { id: string }) => c.id)).not.toEqual(before.map((c: { id: string }) => c.id));
  });

  it('a truncated PDF fails with a readable reason; the server stays up', async () => {
    const up = await t.http().post(`/api/knowledge-bases/${kbB}/documents`).set(auth()).attach('files', PDF_TRUNCATED).expect(201);
    const doc = await settled(up.body.documents[0].id);
    expect(doc).toMatchObject({ status: 'failed', errorCode: 'corrupt' });
    expect(doc.error).toMatch(/^corrupt pdf file: /);
    await t.http().get('/health').expect(200);

    // An original lost from FILES_DIR fails its re-ingest with a reason instead of retrying; the
    // document keeps its chunks (test/documents-reingest.e2e-spec.ts covers that in depth).
    const up2 = await t.http().post(`/api/knowledge-bases/${kbB}/documents`).set(auth()).attach('files', Buffer.from('# 标题\n\n正文。\n'), 'note.md').expect(201);
    const note = await settled(up2.body.documents[0].id);
    expect(note.status).toBe('ready');
    fs.rmSync(storedFile(note.sha256 as string));
    await t.http().post(`/api/documents/${note.id}/reingest`).set(auth()).send({}).expect(202);
    expect(await settled(note.id)).toMatchObject({ status: 'ready', lastErrorCode: 'missing_original', chunks: note.chunks });
    await t.http().get(`/api/documents/${note.id}/file`).set(auth()).expect(404);
  });

  it('a viewer never reaches another knowledge base\'s documents', async () => {
    const bDocs = (await t.http().get(`/api/knowledge-bases/${kbB}/documents`).set(auth()).expect(200)).body as Doc[];
    expect(bDocs.length).toBeGreaterThan(0);
    const id = bDocs[0].id;
    await t.http().get(`/api/knowledge-bases/${kbB}/documents`).set(bearer(viewer)).expect(404);
    for (const url of [`/api/documents/${id}`, `/api/documents/${id}/chunks`, `/api/documents/${id}/file`]) {
      const res = await t.http().get(url).set(bearer(viewer)).expect(404);
      expect(res.body.message).toBe(`document ${id} not found (or this key may not read its knowledge base)`);
    }
    await t.http().delete(`/api/documents/${id}`).set(bearer(viewer)).expect(403);
    await t.http().post(`/api/knowledge-bases/${kbA}/documents`).set(bearer(viewer)).attach('files', PDF_ZH).expect(403);
  });

  it('an upload over UPLOAD_LIMIT is a 413 naming the file and the limit; nothing is kept', async () => {
    const big = Buffer.alloc(UPLOAD_LIMIT + 1024, 'a');
    const res = await t.http().post(`/api/knowledge-bases/${kbA}/documents`).set(auth()).attach('files', big, 'big.txt').expect(413);
    expect(res.body.message).toBe(`file "big.txt" is larger than the upload limit of ${UPLOAD_LIMIT} bytes (UPLOAD_LIMIT)`);
    expect(fs.readdirSync(path.join(t.config.filesDir, '.incoming'))).toEqual([]);
    const none = await t.http().post(`/api/knowledge-bases/${kbA}/documents`).set(auth()).field('password', 'x').expect(400);
    expect(none.body.message).toMatch(/no files in the upload/);
  });

  it('deleting a document removes its chunks, its index entries and its file (kept while another document uses the bytes)', async () => {
    const aPdf = ((await t.http().get(`/api/knowledge-bases/${kbA}/documents`).set(auth())).body as Doc[]).find((d) => d.format === 'pdf')!;
    const bPdf = ((await t.http().get(`/api/knowledge-bases/${kbB}/documents`).set(auth())).body as Doc[]).find((d) => d.sha256 === aPdf.sha256)!;
    const file = storedFile(aPdf.sha256 as string);

    await t.http().delete(`/api/documents/${aPdf.id}`).set(auth()).expect(200);
    await t.http().get(`/api/documents/${aPdf.id}/chunks`).set(auth()).expect(404);
    expect(fs.existsSync(file)).toBe(true); // B's copy still uses these bytes
    const hits = await t.http().post('/api/search').set(auth()).send({ query: '团队的共同目标', knowledgeBases: [kbA], k: 5 }).expect(200);
    expect(hits.body.results.filter((h: { documentId: string }) => h.documentId === aPdf.id)).toEqual([]);

    await t.http().delete(`/api/documents/${bPdf.id}`).set(auth()).expect(200);
    expect(fs.existsSync(file)).toBe(false);
    await t.http().delete(`/api/documents/${bPdf.id}`).set(auth()).expect(404);
  });

  it('deleting a knowledge base removes its documents, chunks and files, and the grants on it', async () => {
    const docs = (await t.http().get(`/api/knowledge-bases/${kbA}/documents`).set(auth())).body as Doc[];
    expect(docs.length).toBeGreaterThan(0);
    await t.http().delete(`/api/knowledge-bases/${kbA}`).set(auth()).expect(200);
    for (const d of docs) {
      await t.http().get(`/api/documents/${d.id}`).set(auth()).expect(404);
      expect(fs.existsSync(storedFile(d.sha256 as string))).toBe(false);
    }
    const keys = (await t.http().get('/api/keys').set(auth()).expect(200)).body as Array<{ name: string; knowledgeBases: unknown }>;
    expect(keys.find((k) => k.name === 'reader of A')?.knowledgeBases).toEqual([]);
  });
});
