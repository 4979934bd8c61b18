import type { BBox } from '../core/parsed-document';

export interface OcrLine {
  text: string;
  /** 0..100 as reported by the engine. */
  confidence: number;
  /** In the pixels of the image that was recognised. */
  bbox: BBox;
}

/** What the parsers need from an OCR engine; the tesseract.js adapter implements it. */
export interface OcrEngine {
  /**
   * Recognises an encoded image (PNG, JPEG, TIFF, ...; rendered PDF pages come as greyscale PGM,
   * P5) and returns its text lines in reading order.
   */
  recognize(image: Uint8Array): Promise<OcrLine[]>;
  /**
   * How many images it recognises at once (its workers); a parser keeps that many pages in flight.
   * Absent: one.
   */
  readonly concurrency?: number;
  /** Terminates the workers; the engine cannot be used afterwards. */
  dispose(): Promise<void>;
}
