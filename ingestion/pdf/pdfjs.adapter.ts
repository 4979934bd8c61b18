import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CorruptDocumentError, EncryptedDocumentError } from '../core/ingestion.errors';
import { createPageCanvas, installCanvasGlobals, PageCanvasFactory, type PageCanvas } from './canvas.adapter';

/** One piece of text as pdf.js positions it, in page space: origin top-left, y down, points. */
export interface TextRun {
  text: string;
  x: number;
  /** Top of the glyph box. */
  y: number;
  width: number;
  height: number;
  /** Baseline y: runs of one line share it, superscripts sit a little above it. */
  baseline: number;
  fontSize: number;
  fontName: string;
}

export interface PageText {
  width: number;
  height: number;
  runs: TextRun[];
}

export interface PdfHandle {
  numPages: number;
  readText(pageNumber: number): Promise<PageText>;
  /** The page's size in points as displayed (its /Rotate applied): the space of TextRun boxes. */
  pageSize(pageNumber: number): Promise<{ width: number; height: number }>;
  /** Renders a page at `scale` (1 = 72 dpi) on a white canvas; the caller drops it when done. */
  render(pageNumber: number, scale: number): Promise<PageCanvas>;
  close(): Promise<void>;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs', { with: { 'resolution-mode': 'import' } });
type RenderParameters = Parameters<Awaited<ReturnType<PdfJs['getDocument']>['promise']> extends { getPage(n: number): Promise<infer P> } ? P extends { render(p: infer R): unknown } ? (p: R) => void : never : never>[0];
let pdfjsModule: Promise<PdfJs> | undefined;

function pdfjsRoot(): string {
  return dirname(require.resolve('pdfjs-dist/package.json'));
}

async function loadPdfJs(): Promise<PdfJs> {
  installCanvasGlobals();
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs').then((pdfjs) => {
    pdfjs.GlobalWorkerOptions.workerSrc = pathToFileURL(join(pdfjsRoot(), 'legacy/build/pdf.worker.mjs')).href;
    return pdfjs;
  });
  return pdfjsModule;
}

/** Opens a PDF with cMaps and standard fonts from node_modules: nothing is fetched over a network. */
export async function openPdf(bytes: Uint8Array, password?: string): Promise<PdfHandle> {
  const pdfjs = await loadPdfJs();
  const root = pdfjsRoot();
  const task = pdfjs.getDocument({
    // pdf.js transfers (detaches) the buffer it is given: hand it a copy.
    data: new Uint8Array(bytes),
    password,
    cMapUrl: join(root, 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: join(root, 'standard_fonts') + '/',
    isEvalSupported: false,
    CanvasFactory: PageCanvasFactory,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (error) {
    await task.destroy().catch(() => undefined);
    throw mapOpenError(error, pdfjs);
  }
  return {
    numPages: doc.numPages,
    async readText(pageNumber) {
      const page = await doc.getPage(pageNumber);
      try {
        const viewport = page.getViewport({ scale: 1 });
        const content = await page.getTextContent();
        const runs: TextRun[] = [];
        for (const item of content.items) {
          if (!('str' in item) || item.str.trim() === '') continue;
          const m = pdfjs.Util.transform(viewport.transform, item.transform);
          const fontSize = Math.hypot(m[2], m[3]) || Math.hypot(m[0], m[1]);
          const ascent = content.styles[item.fontName]?.ascent || 0.8;
          const horizontal = Math.abs(m[1]) < 1e-3 * fontSize;
          runs.push({
            text: item.str,
            x: m[4],
            y: m[5] - fontSize * ascent,
            width: horizontal ? item.width * viewport.scale : fontSize,
            height: horizontal ? fontSize : item.height || fontSize,
            baseline: m[5],
            fontSize,
            fontName: item.fontName,
          });
        }
        return { width: viewport.width, height: viewport.height, runs };
      } finally {
        page.cleanup();
      }
    },
    async pageSize(pageNumber) {
      const page = await doc.getPage(pageNumber);
      const { width, height } = page.getViewport({ scale: 1 });
      return { width, height };
    },
    async render(pageNumber, scale) {
      const page = await doc.getPage(pageNumber);
      try {
        const viewport = page.getViewport({ scale });
        const target = createPageCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
        // @napi-rs/canvas implements the DOM canvas API that pdf.js draws on.
        const params = { canvas: target.canvas, canvasContext: target.context, viewport } as unknown as RenderParameters;
        const task = page.render(params);
        // pdf.js draws in 15 ms slices; without this it chains them as microtasks and a page of
        // figures holds the event loop (an HTTP server's) for its whole render.
        task.onContinue = (next: () => void) => void setImmediate(next);
        await task.promise;
        return target;
      } finally {
        page.cleanup();
      }
    },
    async close() {
      await doc.destroy();
    },
  };
}

function mapOpenError(error: unknown, pdfjs: PdfJs): Error {
  const e = error as { name?: string; code?: number; message?: string };
  if (e?.name === 'PasswordException') {
    return new EncryptedDocumentError(e.code === pdfjs.PasswordResponses.INCORRECT_PASSWORD ? 'wrong_password' : 'password_required');
  }
  // pdf.js names the fault ("Invalid PDF structure."); the user also needs to know what to do.
  const advice = 'the file is damaged or incomplete: export it again from its application, or upload a complete copy';
  if (e?.name === 'InvalidPDFException') return new CorruptDocumentError('pdf', `${e.message ?? 'invalid PDF structure'} (${advice})`, { cause: error });
  return new CorruptDocumentError('pdf', `${e?.message ?? String(error)} (${advice})`, { cause: error });
}
