import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshDataDir } from '../src/database/testing/embedded-template';
import { bearer, startTestApp } from './support/test-app';
import { zhiku } from './support/run-zhiku';

jest.setTimeout(120_000);

const DATA = path.resolve(__dirname, '..', '..', 'shared', 'data', 'docs');

interface FileResult {
  path: string;
  documentId: string | null;
  status: string;
  duplicate: boolean;
  pages: number | null;
  blocks: number | null;
  chunks: number;
  characters: number | null;
  ms: number;
  error: string | null;
}

describe('zhiku ingest', () => {
  let dataDir: string;
  let folder: string;

  beforeAll(async () => {
    dataDir = await freshDataDir();
    // A folder with a nested one: a real Chinese PDF, a CSV made here, and a file that lies about being a PDF.
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-ingest-'));
    fs.mkdirSync(path.join(folder, 'sub'));
    fs.copyFileSync(path.join(DATA, 'pdf', 'pdfjs__issue12823.pdf'), path.join(folder, '模板.pdf'));
    fs.writeFileSync(path.join(folder, 'sub', 'prices.csv'), '产品,价格\nXJ-200B,128\nXJ-300,256\n');
    fs.writeFileSync(path.join(folder, 'sub', 'broken.pdf'), '%PDF-1.7\n1 0 obj << /Type /Catalog >>\n% cut off here');
  });

  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('ingests a folder recursively, reports every file, and exits 1 because one file failed', async () => {
    const run = await zhiku('--data', dataDir, 'ingest', folder, '--kb', '手册', '--json');
    expect(run.code).toBe(1);
    expect(run.err).toContain('zhiku: 1 of 3 file(s) failed');
    const report = JSON.parse(run.out) as { knowledgeBase: { name: string }; files: FileResult[]; failed: number };
    expect(report.knowledgeBase.name).toBe('手册');
    expect(report.failed).toBe(1);
    const byName = Object.fromEntries(report.files.map((f) => [path.basename(f.path), f]));
    expect(Object.keys(byName).sort()).toEqual(['broken.pdf', 'prices.csv', '模板.pdf']);
    expect(byName['模板.pdf']).toMatchObject({ status: 'ready', pages: 1, blocks: 8, error: null });
    expect(byName['模板.pdf'].chunks).toBeGreaterThan(0);
    expect(byName['模板.pdf'].characters).toBeGreaterThan(60);
    expect(byName['prices.csv']).toMatchObject({ status: 'ready', error: null });
    expect(byName['broken.pdf'].status).toBe('failed');
    expect(byName['broken.pdf'].error).toMatch(/^corrupt pdf file: /);
    expect(byName['broken.pdf'].ms).toBeGreaterThanOrEqual(0);

    // The same store and tables the server uses: the chunks are there over HTTP.
    const t = await startTestApp({}, dataDir);
    try {
      const admin = t.adminKey!;
      const kbs = (await t.http().get('/api/knowledge-bases').set(bearer(admin)).expect(200)).body;
      expect(kbs).toEqual([expect.objectContaining({ name: '手册', documentCount: 3 })]);
      const chunks = (await t.http().get(`/api/documents/${byName['prices.csv'].documentId}/chunks`).set(bearer(admin)).expect(200)).body.chunks;
      expect(chunks[0].text).toContain('产品: XJ-200B; 价格: 128');
      expect(chunks[0].provenance.cellRanges).toEqual(expect.arrayContaining(['A2:B2']));
    } finally {
      await t.close();
    }
  });

  it('a second run finds the files already there (duplicates), prints a table, and the bad file fails again', async () => {
    const run = await zhiku('--data', dataDir, 'ingest', path.join(folder, '模板.pdf'), path.join(folder, 'sub'), '--kb', '手册');
    expect(run.code).toBe(1);
    const lines = run.out.trim().split('\n');
    expect(lines[0]).toMatch(/^status\s+pages\s+blocks\s+chunks\s+chars\s+ms\s+file$/);
    expect(lines.find((l) => l.endsWith('模板.pdf'))).toMatch(/^dup\s+1\s+8\s+\d+\s+\d+\s+\d+\s+/);
    expect(lines.find((l) => l.includes('broken.pdf'))).toMatch(/^failed .*broken\.pdf {2}error: corrupt pdf file: /);
  });

  it('--password opens an encrypted PDF in the process itself', async () => {
    const run = await zhiku('--data', dataDir, 'ingest', path.join(DATA, 'pdf', 'pdfminer__aes-256-r6.pdf'), '--kb', 'locked', '--password', 'usersecret', '--json');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.out) as { files: FileResult[] }).files[0]).toMatchObject({ status: 'ready', error: null });
  });

  it('exit 2 for a path that does not exist', async () => {
    const run = await zhiku('--data', dataDir, 'ingest', path.join(folder, 'nope'));
    expect(run).toMatchObject({ code: 2, out: '' });
    expect(run.err).toContain(`zhiku: no such file or folder: ${path.join(folder, 'nope')}`);
  });
});
