import type { OcrEngine } from '../image/ocr-engine';
import { TesseractOcrEngine } from '../image/tesseract.adapter';

let shared: OcrEngine | undefined;

/** The process-wide OCR engine, started on first use so text-only work never loads the models. */
export function defaultOcrEngine(): OcrEngine {
  shared ??= new TesseractOcrEngine();
  return shared;
}

/** Terminates the shared OCR workers (call at shutdown; a later parse starts them again). */
export async function disposeIngestion(): Promise<void> {
  const engine = shared;
  shared = undefined;
  await engine?.dispose();
}
