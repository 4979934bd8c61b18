import { CorruptDocumentError, IngestionError, LimitExceededError } from '../core/ingestion.errors';
import type { ResolvedOptions } from '../core/parse-options';
import type { ParsedDocument } from '../core/parsed-document';
import type { OcrEngine, OcrLine } from '../image/ocr-engine';
import { normalizeText } from '../text/normalize-text';
import { encodeGreyPgm, isBlank, releaseCanvas } from './canvas.adapter';
import { dropOverlappingDuplicates } from './overlapping-runs';
import { dropPageFurniture, type LaidOutPage } from './page-furniture';
import { toBlocks } from './pdf-headings';
import { layoutLeaf } from './pdf-leaf';
import { buildSegments, xyCut } from './pdf-segments';
import { openPdf, type PdfHandle, type PageText } from './pdfjs.adapter';
import { judgeTextLayer } from './text-quality';

/**
 * Reads a PDF page by page: the text layer when it is sound, OCR of the rendered page when it is
 * missing or garbage. Only text is kept across pages; each rendered image is dropped after use.
 */
export async function parsePdf(bytes: Uint8Array, filename: string, options: ResolvedOptions, ocr: () => OcrEngine): Promise<ParsedDocument> {
  const pdf = await openPdf(bytes, options.password);
  try {
    if (pdf.numPages > options.limits.maxPages) throw new LimitExceededError('pages', pdf.numPages, options.limits.maxPages);
    const warnings: string[] = [];
    const pages: LaidOutPage[] = [];
    const ocrPages: number[] = [];
    // Pages whose OCR is under way: the next pages are read and rendered meanwhile, so an engine with
    // several workers reads several pages of one scan at once. Settled in page order.
    const inFlight: PendingOcr[] = [];
    const maxInFlight = options.enableOcr ? Math.max(1, ocr().concurrency ?? 1) : 1;
    let ocrStarted = 0;
    let firstError: string | undefined;
    const settle = async (pending: PendingOcr) => {
      const result = await pending.lines;
      if (!result.ok) throw result.error;
      const { page, verdict } = pending;
      const layerChars = page.elements.reduce((sum, e) => sum + e.text.length, 0);
      const ocrChars = result.lines.reduce((sum, l) => sum + l.text.length, 0);
      if (ocrWins(layerChars, ocrChars)) {
        page.elements = [];
        page.ocrLines = result.lines;
        ocrPages.push(page.page);
        warnings.push(`page ${page.page}: ${verdict === 'garbage' ? 'text layer is garbage' : verdict === 'empty' ? 'no text layer' : 'text layer is sparse'}, read by OCR`);
      }
    };
    // A page whose reading fails is rethrown when it is settled; pages still in flight when the loop
    // ends early (an error, a cancellation) are left to finish, their results unread: their promises
    // never reject, so nothing goes unhandled.
    for (let n = 1; n <= pdf.numPages; n++) {
      options.checkCancelled();
      if (n > 1) options.onProgress(n - 1, pdf.numPages);
      let text: PageText;
      try {
        text = await pdf.readText(n);
      } catch (error) {
        if (error instanceof IngestionError) throw error;
        warnings.push(`page ${n}: unreadable, skipped (${(error as Error).message})`);
        if (n === 1) firstError = (error as Error).message;
        continue;
      }
      // Judged before normalisation, which would strip the control characters that betray garbage.
      const verdict = judgeTextLayer(text.runs.map((r) => r.text).join(' '));
      for (const run of text.runs) run.text = normalizeText(run.text);
      const before = text.runs.length;
      text.runs = dropOverlappingDuplicates(text.runs);
      if (text.runs.length < before) warnings.push(`page ${n}: ${before - text.runs.length} text runs drawn twice over themselves (fake bold) dropped`);
      const page: LaidOutPage = { page: n, width: text.width, height: text.height, elements: [] };
      if (verdict === 'ok' || verdict === 'sparse') {
        page.elements = xyCut(buildSegments(text.runs)).flatMap(layoutLeaf);
      }
      pages.push(page);
      if (verdict === 'ok') continue;
      const started = await startOcr(pdf, n, text, verdict, options, ocr, ocrStarted, warnings);
      if (!started) continue;
      ocrStarted++;
      inFlight.push({ page, verdict, lines: started.lines });
      if (inFlight.length >= maxInFlight) await settle(inFlight.shift()!);
    }
    while (inFlight.length) await settle(inFlight.shift()!);
    if (!pages.length && pdf.numPages > 0) {
      // Not one page could be read: the damage is structural, not a bad page.
      throw new CorruptDocumentError('pdf', `no page could be read (${firstError ?? 'unknown error'}); the file is damaged: export it again from its application`);
    }
    options.onProgress(pdf.numPages, pdf.numPages);
    const dropped = dropPageFurniture(pages);
    if (dropped) warnings.push(`${dropped} running header/footer lines dropped`);
    const { blocks, title } = toBlocks(pages);
    return { filename, blocks, metadata: { format: 'pdf', pages: pdf.numPages, warnings, title, ocrPages } };
  } finally {
    await pdf.close();
  }
}

/**
 * A sparse but sound text layer ("Hello World", a one-line heading) is exact, while OCR of the
 * same words adds a stray character or two ("Hello Vaorld"): OCR replaces the layer only when it
 * reads clearly more, i.e. text the layer does not have (a scan under a stamp or a date).
 */
export function ocrWins(layerChars: number, ocrChars: number): boolean {
  if (layerChars === 0) return ocrChars > 0;
  return ocrChars >= layerChars * 2 + 8;
}

interface PendingOcr {
  page: LaidOutPage;
  verdict: string;
  /** Never rejects: a failure is carried as a value until the page is settled, in page order. */
  lines: Promise<{ ok: true; lines: OcrLine[] } | { ok: false; error: unknown }>;
}

/**
 * Renders a page for OCR (here, on this thread, one page at a time) and hands the image to the
 * engine without waiting for its reading; or says why not (OCR off, the OCR page budget spent, a
 * blank or unrenderable page). The budget counts the pages handed to the engine: that is the cost.
 */
async function startOcr(
  pdf: PdfHandle,
  n: number,
  text: PageText,
  verdict: string,
  options: ResolvedOptions,
  ocr: () => OcrEngine,
  ocrStarted: number,
  warnings: string[],
): Promise<Pick<PendingOcr, 'lines'> | undefined> {
  if (!options.enableOcr) {
    if (verdict !== 'sparse') warnings.push(`page ${n}: ${verdict} text layer and OCR is disabled`);
    return undefined;
  }
  if (ocrStarted >= options.limits.maxOcrPages) {
    warnings.push(`page ${n}: needs OCR but the OCR page budget (${options.limits.maxOcrPages}) is spent`);
    return undefined;
  }
  // The render scale is capped so the page image stays within the OCR pixel budget.
  const budget = Math.sqrt(options.limits.ocrMaxPixels / Math.max(1, text.width * text.height));
  const scale = Math.min(options.ocrDpi / 72, budget);
  let image: Buffer;
  try {
    const canvas = await pdf.render(n, scale);
    try {
      if (isBlank(canvas)) return undefined;
      image = encodeGreyPgm(canvas);
    } finally {
      releaseCanvas(canvas);
    }
  } catch (error) {
    warnings.push(`page ${n}: could not be rendered for OCR (${(error as Error).message})`);
    return undefined;
  }
  // Wrapped in an object: an async function returning the promise itself would wait for it.
  const lines = ocr()
    .recognize(image)
    .then(
      (lines) => ({
        ok: true as const,
        lines: lines.map((l) => ({
          ...l,
          bbox: { x: l.bbox.x / scale, y: l.bbox.y / scale, width: l.bbox.width / scale, height: l.bbox.height / scale },
        })),
      }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  return { lines };
}
