import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createScheduler, createWorker, OEM, PSM, type Scheduler, type Worker } from 'tesseract.js';
import { normalizeText, removeCjkSpaces, squashSpaces } from '../text/normalize-text';
import type { OcrEngine, OcrLine } from './ocr-engine';

export interface TesseractOptions {
  /** Workers in the pool; each holds its own copy of the models (~100 MB). */
  workers?: number;
  languages?: string[];
}

const LANGUAGE_PACKAGES: Record<string, string> = {
  eng: '@tesseract.js-data/eng',
  chi_sim: '@tesseract.js-data/chi_sim',
};

/**
 * tesseract.js reads every language from one `langPath` folder, while the npm packages keep each
 * language in its own folder: link both into one folder under the OS temp dir (never the working
 * directory), keyed by the packages' paths so concurrent processes agree on it.
 */
function languageFolder(languages: string[]): string {
  const files = languages.map((lang) => {
    const pkg = LANGUAGE_PACKAGES[lang];
    if (!pkg) throw new Error(`no traineddata package known for OCR language "${lang}"`);
    const root = dirname(require.resolve(`${pkg}/package.json`));
    return { lang, file: join(root, '4.0.0_best_int', `${lang}.traineddata.gz`) };
  });
  const key = createHash('sha256').update(files.map((f) => f.file).join('|')).digest('hex').slice(0, 16);
  const folder = join(tmpdir(), `zhiku-tessdata-${key}`);
  mkdirSync(folder, { recursive: true });
  for (const { lang, file } of files) {
    const target = join(folder, `${lang}.traineddata.gz`);
    if (existsSync(target)) continue;
    try {
      symlinkSync(file, target);
    } catch {
      if (!existsSync(target)) copyFileSync(file, target);
    }
  }
  return folder;
}

/** A pool of tesseract.js workers with chi_sim+eng, created on first use and reused for every page. */
export class TesseractOcrEngine implements OcrEngine {
  private scheduler?: Promise<Scheduler>;
  private disposed = false;
  private readonly workerCount: number;
  private readonly languages: string[];
  readonly concurrency: number;

  constructor(options: TesseractOptions = {}) {
    this.workerCount = Math.max(1, options.workers ?? 1);
    this.concurrency = this.workerCount;
    this.languages = options.languages ?? ['chi_sim', 'eng'];
  }

  async recognize(image: Uint8Array): Promise<OcrLine[]> {
    if (this.disposed) throw new Error('OCR engine was disposed');
    const scheduler = await (this.scheduler ??= this.start());
    const result = await scheduler.addJob('recognize', Buffer.from(image.buffer, image.byteOffset, image.byteLength), {}, { blocks: true, text: false });
    const lines: OcrLine[] = [];
    for (const block of result.data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        for (const line of paragraph.lines) {
          const text = squashSpaces(removeCjkSpaces(normalizeText(line.text)));
          if (!/[\p{L}\p{N}]/u.test(text)) continue;
          const { x0, y0, x1, y1 } = line.bbox;
          lines.push({ text, confidence: Math.round(line.confidence * 10) / 10, bbox: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } });
        }
      }
    }
    return lines;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const pending = this.scheduler;
    this.scheduler = undefined;
    if (pending) await (await pending).terminate();
  }

  private async start(): Promise<Scheduler> {
    const langPath = languageFolder(this.languages);
    const scheduler = createScheduler();
    const workers: Worker[] = await Promise.all(
      Array.from({ length: this.workerCount }, () =>
        createWorker(this.languages, OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' }),
      ),
    );
    for (const worker of workers) {
      // tesseract.js defaults to one uniform block of text, which loses text in tables and on mixed pages.
      await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO });
      scheduler.addWorker(worker);
    }
    return scheduler;
  }
}
