import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EncryptedDocumentError } from '../core/ingestion.errors';
import { NoPagesError, PageOutOfRangeError } from './page-image';
import { PageRenderPool, RenderTimeoutError } from './page-render.pool';

const PDF = path.resolve(__dirname, '../../..', 'shared/data/docs/pdf');
const read = (name: string) => new Uint8Array(readFileSync(path.join(PDF, name)));

describe('PageRenderPool', () => {
  const pool = new PageRenderPool({ size: 2 });
  afterAll(() => pool.close());

  it('renders pages on worker threads while this thread stays free', async () => {
    const bytes = read('pdfjs__tracemonkey.pdf');
    await pool.render(bytes, { page: 1, width: 200 }); // both pdf.js loads out of the measurement
    // Page 11 (a large figure) held the calling thread for 0.5-1 s when rendered in-process. The share
    // of time this thread's event loop was busy says where the work ran, however loaded the machine
    // is (a delay bound would not: on a busy CI host any thread waits for a core).
    const before = performance.eventLoopUtilization();
    const pages = await Promise.all([11, 12, 1].map((page) => pool.render(bytes, { page, width: 1000 })));
    const busy = performance.eventLoopUtilization(before).utilization;
    expect(pages.map((p) => [p.width, p.pages, p.png.subarray(1, 4).toString()])).toEqual([
      [1000, 14, 'PNG'],
      [1000, 14, 'PNG'],
      [1000, 14, 'PNG'],
    ]);
    expect(Buffer.isBuffer(pages[0].png)).toBe(true);
    expect(busy).toBeLessThan(0.5);
  });

  it('rethrows the typed errors of the render thread on this one', async () => {
    const encrypted = await pool.render(read('pdfjs__issue6010_1.pdf'), { page: 1, width: 300 }).catch((e: unknown) => e);
    expect(encrypted).toBeInstanceOf(EncryptedDocumentError);
    expect(encrypted).toMatchObject({ reason: 'password_required', code: 'encrypted' });
    const past = await pool.render(read('pdfjs__issue12823.pdf'), { page: 3, width: 300 }).catch((e: unknown) => e);
    expect(past).toBeInstanceOf(PageOutOfRangeError);
    expect(past).toMatchObject({ page: 3, pages: 1 });
    await expect(pool.render(new TextEncoder().encode('words\n'), { page: 1, width: 300 })).rejects.toBeInstanceOf(NoPagesError);
  });

  it('abandons a page that renders too long; a closed pool takes no more work', async () => {
    const impatient = new PageRenderPool({ size: 1, timeoutMs: 1 });
    try {
      await expect(impatient.render(read('pdfjs__tracemonkey.pdf'), { page: 11, width: 1000 })).rejects.toBeInstanceOf(RenderTimeoutError);
    } finally {
      await impatient.close();
    }
    await expect(impatient.render(read('pdfjs__issue12823.pdf'), { page: 1, width: 300 })).rejects.toThrow('closed');
  });
});
