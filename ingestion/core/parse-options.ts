import { ParseCancelledError } from './ingestion.errors';
import type { OcrEngine } from '../image/ocr-engine';

export interface IngestionLimits {
  /** Largest input accepted, in bytes. */
  maxFileBytes: number;
  /** Most PDF pages (or image frames) read from one document. */
  maxPages: number;
  /** Largest image accepted before downscaling is even attempted (width × height). */
  maxPixels: number;
  /** Images above this many pixels are downscaled before OCR. */
  ocrMaxPixels: number;
  /** Sum of the declared uncompressed sizes of a zip container (xlsx, docx): zip-bomb guard. */
  maxZipUncompressedBytes: number;
  maxZipEntries: number;
  /** Most pages of one PDF that are rendered and OCR'd; later ones are skipped with a warning. */
  maxOcrPages: number;
}

export interface ParseOptions {
  password?: string;
  limits?: Partial<IngestionLimits>;
  /** OCR for scans and garbage text layers; the shared default engine when absent. */
  ocr?: OcrEngine;
  /** false: never OCR (pages that need it become warnings). */
  enableOcr?: boolean;
  /** Resolution at which PDF pages are rendered for OCR. */
  ocrDpi?: number;
  /** Called after each page (PDF), frame (image) or sheet (workbook) with how many are done. */
  onProgress?: (done: number, total: number) => void;
  /** Aborts between pages; parse then rejects with ParseCancelledError. */
  signal?: AbortSignal;
}

export const DEFAULT_LIMITS: Readonly<IngestionLimits> = Object.freeze({
  maxFileBytes: 200 * 1024 * 1024,
  maxPages: 2000,
  maxPixels: 100_000_000,
  ocrMaxPixels: 12_000_000,
  maxZipUncompressedBytes: 500 * 1024 * 1024,
  maxZipEntries: 10_000,
  maxOcrPages: 500,
});

export interface ResolvedOptions {
  password?: string;
  limits: IngestionLimits;
  ocr?: OcrEngine;
  enableOcr: boolean;
  ocrDpi: number;
  onProgress: (done: number, total: number) => void;
  /** Throws ParseCancelledError once the caller's signal has aborted. */
  checkCancelled: () => void;
}

export function resolveOptions(options: ParseOptions = {}): ResolvedOptions {
  return {
    password: options.password,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ocr: options.ocr,
    enableOcr: options.enableOcr ?? true,
    ocrDpi: options.ocrDpi ?? 200,
    onProgress: options.onProgress ?? (() => undefined),
    checkCancelled: () => {
      if (options.signal?.aborted) throw new ParseCancelledError();
    },
  };
}
