import { detectFormat } from '../core/format.detector';
import { IngestionError, LimitExceededError } from '../core/ingestion.errors';
import { DEFAULT_LIMITS, type IngestionLimits } from '../core/parse-options';
import type { DocumentFormat } from '../core/parsed-document';
import { compactPng, countFrames, renderFrame } from '../image/sharp.adapter';
import { releaseCanvas, rgbaPixels } from '../pdf/canvas.adapter';
import { openPdf } from '../pdf/pdfjs.adapter';

/** Formats whose pages can be shown as pictures: PDFs and images (a TIFF frame is a page). */
export const PAGED_FORMATS: readonly DocumentFormat[] = ['pdf', 'png', 'jpeg', 'tiff', 'bmp', 'webp'];

export interface PageImageOptions {
  /** 1-based. */
  page: number;
  /** Width of the picture in pixels; images are never enlarged past their own width. */
  width: number;
  /** Cap on width × height, so a long strip of a page cannot ask for a huge canvas. */
  maxPixels?: number;
  limits?: Partial<IngestionLimits>;
}

export interface PageImage {
  png: Buffer;
  width: number;
  height: number;
  format: DocumentFormat;
  pages: number;
  /**
   * The page's size in the units of chunk provenance bounding boxes (PDF points, image pixels
   * upright): `bbox.x / pageWidth * width` places a cited passage on the picture.
   */
  pageWidth: number;
  pageHeight: number;
}

/** The page number is past the end of the document. */
export class PageOutOfRangeError extends IngestionError {
  override readonly name = 'PageOutOfRangeError';
  constructor(
    readonly page: number,
    readonly pages: number,
  ) {
    super(`page ${page} does not exist: the document has ${pages} page${pages === 1 ? '' : 's'}`, 'page_out_of_range');
  }
}

/** The format has no pages to picture (spreadsheets, Word, text). */
export class NoPagesError extends IngestionError {
  override readonly name = 'NoPagesError';
  constructor(readonly format: DocumentFormat) {
    super(`a ${format} document has no pages to render; read its chunks or open the original instead`, 'no_pages');
  }
}

const DEFAULT_MAX_PIXELS = 8_000_000;

/**
 * Renders one page of a stored original as PNG: a PDF page through the same pdf.js renderer OCR
 * uses, an image frame upright. Throws EncryptedDocumentError for a PDF that needs a password.
 */
export async function renderPageImage(bytes: Uint8Array, options: PageImageOptions): Promise<PageImage> {
  const { page, width } = options;
  if (!Number.isInteger(page) || page < 1) throw new RangeError(`page must be a positive integer, got ${page}`);
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`width must be a positive integer, got ${width}`);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const { format } = detectFormat(bytes);
  if (!PAGED_FORMATS.includes(format)) throw new NoPagesError(format);
  return format === 'pdf' ? renderPdfPage(bytes, page, width, maxPixels, limits) : renderImagePage(bytes, format, page, width, maxPixels, limits);
}

async function renderPdfPage(bytes: Uint8Array, page: number, width: number, maxPixels: number, limits: IngestionLimits): Promise<PageImage> {
  const pdf = await openPdf(bytes);
  try {
    if (pdf.numPages > limits.maxPages) throw new LimitExceededError('pages', pdf.numPages, limits.maxPages);
    if (page > pdf.numPages) throw new PageOutOfRangeError(page, pdf.numPages);
    const size = await pdf.pageSize(page);
    const scale = Math.min(width / size.width, Math.sqrt(maxPixels / (size.width * size.height)));
    const canvas = await pdf.render(page, scale);
    try {
      const png = await compactPng(rgbaPixels(canvas), canvas.width, canvas.height);
      return { png, width: canvas.width, height: canvas.height, format: 'pdf', pages: pdf.numPages, pageWidth: size.width, pageHeight: size.height };
    } finally {
      releaseCanvas(canvas);
    }
  } finally {
    await pdf.close();
  }
}

async function renderImagePage(bytes: Uint8Array, format: DocumentFormat, page: number, width: number, maxPixels: number, limits: IngestionLimits): Promise<PageImage> {
  const pages = await countFrames(bytes, format, limits);
  if (page > pages) throw new PageOutOfRangeError(page, pages);
  // Fits inside width × (maxPixels / width): a tall scroll shrinks until it is under the pixel cap.
  const frame = await renderFrame(bytes, format, page - 1, width, Math.max(1, Math.floor(maxPixels / width)), limits);
  return { png: frame.png, width: frame.width, height: frame.height, format, pages, pageWidth: frame.sourceWidth, pageHeight: frame.sourceHeight };
}
