import type { ResolvedOptions } from '../core/parse-options';
import type { Block, DocumentFormat, ParsedDocument } from '../core/parsed-document';
import type { OcrEngine, OcrLine } from './ocr-engine';
import { countFrames, prepareFrame } from './sharp.adapter';

/** OCRs every frame of an image (TIFFs can hold several) into ocr_line blocks in original pixels. */
export async function parseImage(
  bytes: Uint8Array,
  filename: string,
  format: DocumentFormat,
  options: ResolvedOptions,
  ocr: OcrEngine,
): Promise<ParsedDocument> {
  const limits = options.limits;
  const frames = await countFrames(bytes, format, limits);
  const blocks: Block[] = [];
  const warnings: string[] = [];
  for (let frame = 0; frame < frames; frame++) {
    options.checkCancelled();
    let prepared = await prepareFrame(bytes, format, frame, limits);
    if (prepared.scale < 1) {
      warnings.push(`frame ${frame + 1}: downscaled from ${prepared.width}x${prepared.height} to fit ${limits.ocrMaxPixels} pixels for OCR`);
    }
    let lines = await ocr.recognize(prepared.png);
    if (medianHeight(lines) < SMALL_TEXT_PX && prepared.scale === 1) {
      // Lines a dozen pixels high (a low-resolution scan) lose strokes in tesseract's Chinese model
      // (基础 read as 共础): read again at twice the size and keep the surer reading.
      const larger = await prepareFrame(bytes, format, frame, limits, 2);
      const again = larger.scale > 1 ? await ocr.recognize(larger.png) : [];
      if (meanConfidence(again) > meanConfidence(lines)) {
        prepared = larger;
        lines = again;
        warnings.push(`frame ${frame + 1}: small text, read at ${larger.scale.toFixed(1)}x`);
      }
    }
    if (lines.length === 0) warnings.push(`frame ${frame + 1}: OCR found no text`);
    for (const line of lines) {
      blocks.push({
        text: line.text,
        kind: 'ocr_line',
        confidence: line.confidence,
        provenance: {
          page: frame + 1,
          bbox: {
            x: Math.round(line.bbox.x / prepared.scale),
            y: Math.round(line.bbox.y / prepared.scale),
            width: Math.round(line.bbox.width / prepared.scale),
            height: Math.round(line.bbox.height / prepared.scale),
          },
          headingPath: [],
          source: 'ocr',
        },
      });
    }
    options.onProgress(frame + 1, frames);
  }
  return { filename, blocks, metadata: { format, pages: frames, warnings } };
}

/** Median OCR line height in pixels under which text is read again enlarged. */
const SMALL_TEXT_PX = 16;

function medianHeight(lines: OcrLine[]): number {
  if (!lines.length) return Infinity;
  const heights = lines.map((l) => l.bbox.height).sort((a, b) => a - b);
  return heights[Math.floor(heights.length / 2)];
}

/** Confidence weighted by characters, so one sure short line does not outvote a page. */
function meanConfidence(lines: OcrLine[]): number {
  const chars = lines.reduce((sum, l) => sum + l.text.length, 0);
  return chars ? lines.reduce((sum, l) => sum + l.confidence * l.text.length, 0) / chars : 0;
}
