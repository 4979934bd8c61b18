/**
 * Page pictures: milliseconds per page and the longest the event loop was held while rendering, for
 * a text PDF, scanned PDFs and a photo, rendered on the calling thread and through PageRenderPool
 * (one thread, pages one after another). Prints figures, asserts nothing. From the repository root:
 *   npm run build && node dist/bench/ingest/page-image.bench.js [width]
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PageRenderPool, renderPageImage, type PageImage, type PageImageOptions } from '../../ingestion';

const DOCS = path.resolve(process.cwd(), '..', 'shared', 'data', 'docs');
const FILES: { file: string; kind: string; pages?: number }[] = [
  { file: 'pdf/pdfjs__tracemonkey.pdf', kind: 'text PDF, figures' },
  { file: 'pdf/pdfplumber__ca-warn-report.pdf', kind: 'text PDF, tables', pages: 4 },
  { file: 'pdf/mineru__small_ocr.pdf', kind: 'scan (CCITT strips)' },
  { file: 'pdf/pdfjs__issue19360.pdf', kind: 'image-heavy page' },
  { file: 'images/rapidlayout__layout.jpg', kind: 'photo of a page' },
];

export interface PageImageFigures {
  file: string;
  where: 'in-process' | 'pool';
  kind: string;
  pages: number;
  msPerPage: number;
  slowestMs: number;
  maxLoopBlockMs: number;
  kbPerPage: number;
}

export async function benchPageImages(width = 1000): Promise<PageImageFigures[]> {
  const out: PageImageFigures[] = [];
  const pool = new PageRenderPool({ size: 1 });
  const renderers = { 'in-process': renderPageImage, pool: (bytes: Uint8Array, options: PageImageOptions) => pool.render(bytes, options) } as const;
  try {
    for (const [where, render] of Object.entries(renderers) as [PageImageFigures['where'], (b: Uint8Array, o: PageImageOptions) => Promise<PageImage>][]) {
      await render(readFileSync(path.join(DOCS, FILES[0].file)), { page: 1, width }); // pdf.js loaded once, outside the figures
      for (const { file, kind, pages: limit } of FILES) {
        const bytes = readFileSync(path.join(DOCS, file));
        const first = await render(bytes, { page: 1, width });
        const pages = Math.min(first.pages, limit ?? first.pages);
        const loop = monitorEventLoopDelay({ resolution: 5 });
        let total = 0;
        let slowest = 0;
        let pngBytes = 0;
        loop.enable();
        for (let page = 1; page <= pages; page++) {
          const started = performance.now();
          const image = await render(bytes, { page, width });
          const ms = performance.now() - started;
          total += ms;
          slowest = Math.max(slowest, ms);
          pngBytes += image.png.length;
        }
        loop.disable();
        out.push({ file: path.basename(file), where, kind, pages, msPerPage: total / pages, slowestMs: slowest, maxLoopBlockMs: loop.max / 1e6, kbPerPage: pngBytes / pages / 1024 });
      }
    }
  } finally {
    await pool.close();
  }
  return out;
}

if (require.main === module) {
  const width = Number(process.argv[2] ?? 1000);
  void benchPageImages(width).then((rows) => {
    console.log(`width ${width} px`);
    for (const r of rows) {
      console.log(
        `${r.where.padEnd(10)} ${r.file.padEnd(38)} ${r.kind.padEnd(22)} ${String(r.pages).padStart(3)} pages  ${r.msPerPage.toFixed(0).padStart(5)} ms/page  slowest ${r.slowestMs.toFixed(0).padStart(5)} ms  loop held ≤ ${r.maxLoopBlockMs.toFixed(0).padStart(4)} ms  ${r.kbPerPage.toFixed(0)} KB/page`,
      );
    }
  });
}
