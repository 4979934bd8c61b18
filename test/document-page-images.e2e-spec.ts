import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { waitUntilReady } from './support/documents';
import { bearer, newKey, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

const DOCS = path.resolve(__dirname, '..', '..', 'shared', 'data', 'docs');
const PDF = path.join(DOCS, 'pdf', 'pdfjs__tracemonkey.pdf');
const PDF_AES256 = path.join(DOCS, 'pdf', 'pdfminer__aes-256-r6.pdf');
/** 752 × 306, stored upside down with EXIF orientation 3. */
const PHOTO = path.join(DOCS, 'images', 'rapidocr__img_exif_orientation.jpg');
const XLSX = path.join(DOCS, 'xlsx', 'easyexcel__t02.xlsx');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('page images: a page of a PDF or image document as PNG', () => {
  let t: TestApp;
  let admin: string;
  let outsider: string;
  let reader: string;
  const ids: Record<string, string> = {};
  const auth = () => bearer(admin);
  const pageUrl = (name: string, n: number | string, query = '') => `/api/documents/${ids[name]}/pages/${n}/image${query}`;

  async function upload(kb: string, file: string, password?: string): Promise<{ id: string; sha256: string }> {
    const req = t.http().post(`/api/knowledge-bases/${kb}/documents`).set(auth());
    if (password) void req.field('password', password);
    return (await req.attach('files', file).expect(201)).body.documents[0];
  }

  async function png(res: { body: Buffer; headers: Record<string, string> }) {
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.body.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    return sharp(res.body).metadata();
  }

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    admin = t.adminKey!;
    const kb = (await t.http().post('/api/knowledge-bases').set(auth()).send({ name: 'contracts' }).expect(201)).body.id;
    const other = (await t.http().post('/api/knowledge-bases').set(auth()).send({ name: 'elsewhere' }).expect(201)).body.id;
    outsider = await newKey(t, 'viewer', 'reader of elsewhere', [other]);
    reader = await newKey(t, 'viewer', 'reader of contracts', [kb]);
    ids.pdf = (await upload(kb, PDF)).id;
    ids.photo = (await upload(kb, PHOTO)).id;
    ids.xlsx = (await upload(kb, XLSX)).id;
    ids.encrypted = (await upload(kb, PDF_AES256, 'usersecret')).id;
    await waitUntilReady(t, admin, Object.values(ids));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('renders a PDF page at the default and asked widths, caches it on disk and answers a revalidation with 304', async () => {
    const res = await t.http().get(pageUrl('pdf', 1)).set(bearer(reader)).expect(200);
    const meta = await png(res);
    expect([meta.width, meta.height]).toEqual([1000, Math.ceil((792 * 1000) / 612)]);
    expect(res.headers).toMatchObject({ 'x-page-count': '14', 'x-page-size': '612x792', 'cache-control': 'private, max-age=3600' });
    const etag = res.headers.etag;
    expect(etag).toMatch(/^"[0-9a-f]{16}-p1-w1000-r\d+"$/);

    const { sha256 } = (await t.http().get(`/api/documents/${ids.pdf}`).set(auth()).expect(200)).body;
    const cacheDir = path.join(t.config.filesDir, '.page-cache', sha256);
    expect(fs.readdirSync(cacheDir).sort()).toEqual([`p1-w1000-r1.json`, `p1-w1000-r1.png`]);
    const again = await t.http().get(pageUrl('pdf', 1)).set(auth()).expect(200);
    expect(Buffer.compare(again.body, res.body)).toBe(0);
    expect(again.headers['x-page-size']).toBe('612x792');
    await t.http().get(pageUrl('pdf', 1)).set(auth()).set('If-None-Match', etag).expect(304);

    const narrow = await png(await t.http().get(pageUrl('pdf', 14, '?width=300')).set(auth()).expect(200));
    expect([narrow.width, narrow.height]).toEqual([300, Math.ceil((792 * 300) / 612)]);
    // Out of range is brought into range: 5000 → 2000, 50 → 200.
    expect((await png(await t.http().get(pageUrl('pdf', 2, '?width=5000')).set(auth()).expect(200))).width).toBe(2000);
    expect((await png(await t.http().get(pageUrl('pdf', 2, '?width=50')).set(auth()).expect(200))).width).toBe(200);
  });

  it('shows a photo upright (EXIF applied), never enlarged, and shrinks it to the asked width', async () => {
    const full = await t.http().get(pageUrl('photo', 1)).set(auth()).expect(200);
    const meta = await png(full);
    expect([meta.width, meta.height, meta.orientation]).toEqual([752, 306, undefined]);
    expect(full.headers).toMatchObject({ 'x-page-count': '1', 'x-page-size': '752x306' });
    // Upside down stored, upright shown: the top-left corner shown is the stored bottom-right one.
    const stored = await sharp(fs.readFileSync(PHOTO)).raw().toBuffer({ resolveWithObject: true });
    const shown = await sharp(full.body).removeAlpha().raw().toBuffer();
    const last = stored.data.length - 3;
    expect([...shown.subarray(0, 3)]).toEqual([...stored.data.subarray(last, last + 3)]);
    const small = await png(await t.http().get(pageUrl('photo', 1, '?width=376')).set(auth()).expect(200));
    expect([small.width, small.height]).toEqual([376, 153]);
    const past = await t.http().get(pageUrl('photo', 2)).set(auth()).expect(404);
    expect(past.body.message).toBe(`document ${ids.photo} has no page 2: it has 1 page`);
  });

  it('refuses bad page numbers and widths (400), pages past the end (404), formats without pages and encrypted PDFs (409)', async () => {
    for (const bad of ['0', 'x', '-1', '1.5']) {
      const res = await t.http().get(pageUrl('pdf', bad)).set(auth()).expect(400);
      expect(res.body.message).toContain('page must be a whole number from 1');
    }
    for (const bad of ['abc', '0', '-20', '10.5']) await t.http().get(pageUrl('pdf', 1, `?width=${bad}`)).set(auth()).expect(400);
    const past = await t.http().get(pageUrl('pdf', 15)).set(auth()).expect(404);
    expect(past.body.message).toBe(`document ${ids.pdf} has no page 15: it has 14 pages`);

    const sheet = await t.http().get(pageUrl('xlsx', 1)).set(auth()).expect(409);
    expect(sheet.body.message).toContain('is a xlsx file, which has no pages to render');
    expect(sheet.body.details).toEqual({ reason: 'no_pages' });
    // Ready (it was uploaded with its password), but the password is not kept: no picture.
    const locked = await t.http().get(pageUrl('encrypted', 1)).set(auth()).expect(409);
    expect(locked.body.message).toContain('the PDF is encrypted and its password is not kept after ingestion');
    expect(locked.body.details).toEqual({ reason: 'encrypted' });
  });

  it('answers 404 for unknown documents and for keys that may not read the knowledge base; deleting the document removes its pictures', async () => {
    await t.http().get('/api/documents/00000000-0000-4000-8000-000000000000/pages/1/image').set(auth()).expect(404);
    await t.http().get('/api/documents/not-a-uuid/pages/1/image').set(auth()).expect(404);
    const hidden = await t.http().get(pageUrl('pdf', 1)).set(bearer(outsider)).expect(404);
    expect(hidden.body.message).toContain('not found (or this key may not read its knowledge base)');
    await t.http().get(pageUrl('pdf', 1)).expect(401);

    const { sha256 } = (await t.http().get(`/api/documents/${ids.pdf}`).set(auth()).expect(200)).body;
    const cacheDir = path.join(t.config.filesDir, '.page-cache', sha256);
    expect(fs.existsSync(cacheDir)).toBe(true);
    await t.http().delete(`/api/documents/${ids.pdf}`).set(auth()).expect(200);
    expect(fs.existsSync(cacheDir)).toBe(false);
    await t.http().get(pageUrl('pdf', 1)).set(auth()).expect(404);
  });
});
