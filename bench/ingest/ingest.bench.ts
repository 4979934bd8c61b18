/**
 * Ingestion benchmark: prints figures, asserts nothing. Run from the repository root:
 *   npm run build && node dist/bench/ingest/ingest.bench.js
 * Text PDFs: our parse() (layout, tables, headings, no OCR) against plain pdfjs-dist getTextContent
 * on the same files in the same run; OCR: parse() against tesseract.js alone; peak RSS on the largest file.
 */
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createWorker, OEM, PSM } from 'tesseract.js';
import { parse, TesseractOcrEngine } from '../../ingestion';

/** The repository root: the working directory when run as documented, else the nearest package.json above. */
function repoRoot(): string {
  if (existsSync(join(process.cwd(), 'package.json'))) return process.cwd();
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  throw new Error('run the benchmark from the repository root');
}

const ROOT = repoRoot();
const DOCS = resolve(ROOT, '..', 'shared/data/docs');
const TEXT_PDFS = [
  'pdfjs__tracemonkey.pdf',
  'chatchat__langchain.pdf',
  'pdfplumber__ca-warn-report.pdf',
  'tabula__twotables.pdf',
  'tabula__spanning_cells.pdf',
  'pdfjs__issue12823.pdf',
  'pdfjs__issue16063.pdf',
  'mineru__introduction.pdf',
];
const IMAGES = ['tesseract__phototest.tif', 'chatchat__ocr_test.jpg', 'rapidlayout__layout.jpg'];
const ROUNDS = 3;

const read = (rel: string) => new Uint8Array(readFileSync(join(DOCS, rel)));
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function plainPdfjs(bytes: Uint8Array): Promise<number> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const base = dirname(require.resolve('pdfjs-dist/package.json'));
  const doc = await pdfjs.getDocument({
    data: new Uint8Array(bytes),
    cMapUrl: join(base, 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: join(base, 'standard_fonts') + '/',
    // The same loading options as the adapter, so the ratio measures our layout work alone.
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
  let items = 0;
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    items += (await page.getTextContent()).items.length;
    page.cleanup();
  }
  await doc.destroy();
  return items;
}

async function benchTextPdfs(): Promise<void> {
  console.log(`\n== text PDFs (best of ${ROUNDS} rounds, after a warm-up)`);
  console.log('file'.padEnd(34), 'pages', 'pdfjs ms', 'parse ms', 'ratio', 'blocks');
  let pages = 0;
  let ours = 0;
  let plain = 0;
  for (const file of TEXT_PDFS) {
    const bytes = read(`pdf/${file}`);
    await plainPdfjs(bytes);
    await parse(bytes, file, { enableOcr: false });
    let bestPlain = Infinity;
    let bestOurs = Infinity;
    let doc;
    // Alternating which runs first keeps warm caches from favouring either side.
    for (let r = 0; r < ROUNDS * 2; r++) {
      const t = process.hrtime.bigint();
      if (r % 2 === 0) {
        await plainPdfjs(bytes);
        bestPlain = Math.min(bestPlain, ms(t));
      } else {
        doc = await parse(bytes, file, { enableOcr: false });
        bestOurs = Math.min(bestOurs, ms(t));
      }
    }
    pages += doc!.metadata.pages;
    ours += bestOurs;
    plain += bestPlain;
    console.log(file.padEnd(34), String(doc!.metadata.pages).padStart(5), bestPlain.toFixed(1).padStart(8), bestOurs.toFixed(1).padStart(8), (bestOurs / bestPlain).toFixed(2).padStart(5), String(doc!.blocks.length).padStart(6));
  }
  console.log(`total: ${pages} pages; pdfjs ${plain.toFixed(0)} ms, parse ${ours.toFixed(0)} ms; ratio ${(ours / plain).toFixed(2)}x; parse ${((pages * 1000) / ours).toFixed(1)} pages/s`);
}

function cer(actual: string, expected: string): number {
  const a = [...actual.replace(/\s+/g, ' ').trim()];
  const b = [...expected.replace(/\s+/g, ' ').trim()];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length] / b.length;
}

async function benchOcr(): Promise<void> {
  console.log('\n== OCR (chi_sim+eng, one worker, warm)');
  const engine = new TesseractOcrEngine();
  await parse(read('images/tesseract__phototest.tif'), 'warm.tif', { ocr: engine });
  // tesseract.js alone, given the same model files from node_modules in one folder.
  const langPath = mkdtempSync(join(tmpdir(), 'bench-tessdata-'));
  for (const lang of ['eng', 'chi_sim']) {
    const pkg = dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`));
    symlinkSync(join(pkg, '4.0.0_best_int', `${lang}.traineddata.gz`), join(langPath, `${lang}.traineddata.gz`));
  }
  const plain = await createWorker(['chi_sim', 'eng'], OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' });
  await plain.setParameters({ tessedit_pageseg_mode: PSM.AUTO });
  await plain.recognize(Buffer.from(read('images/tesseract__phototest.tif')));
  console.log('file'.padEnd(28), 'tesseract.js s', 'parse s', 'lines');
  for (const file of IMAGES) {
    const bytes = read(`images/${file}`);
    let t = process.hrtime.bigint();
    await plain.recognize(Buffer.from(bytes));
    const alone = ms(t) / 1000;
    t = process.hrtime.bigint();
    const doc = await parse(bytes, file, { ocr: engine });
    const ours = ms(t) / 1000;
    console.log(file.padEnd(28), alone.toFixed(2).padStart(14), ours.toFixed(2).padStart(7), String(doc.blocks.length).padStart(5));
    if (file === 'tesseract__phototest.tif') {
      const truth = readFileSync(join(DOCS, 'images/tesseract__phototest.txt'), 'utf8');
      console.log(`  phototest character error rate: ${(cer(doc.blocks.map((b) => b.text).join('\n'), truth) * 100).toFixed(2)}%`);
    }
  }
  await plain.terminate();
  await engine.dispose();
}

async function peakMemory(rel: string, ocr: boolean): Promise<void> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const engine = new TesseractOcrEngine();
  const t = process.hrtime.bigint();
  const doc = await parse(read(rel), rel, { enableOcr: ocr, ocr: engine });
  const took = ms(t);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  await engine.dispose();
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  console.log(`${rel}: ${doc.metadata.pages} page(s), ${doc.blocks.length} blocks, ${took.toFixed(0)} ms, OCR pages [${doc.metadata.ocrPages ?? ''}]; RSS before ${mb(before)} MB, peak ${mb(peak)} MB`);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  await benchTextPdfs();
  await benchOcr();
  console.log('\n== peak memory');
  await peakMemory('pdf/pdfjs__issue19360.pdf', true);
  await peakMemory('pdf/pdfjs__tracemonkey.pdf', false);
  await peakMemory('pdf/mineru__small_ocr.pdf', true);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
