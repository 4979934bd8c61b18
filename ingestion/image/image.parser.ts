import type { ResolvedOptions } from '../core/parse-options';
import type { Block, DocumentFormat, ParsedDocument } from '../core/parsed-document';
import type { OcrEngine } from './ocr-engine';
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
    const prepared = await prepareFrame(bytes, format, frame, limits);
    if (prepared.scale < 1) {
      warnings.push(`frame ${frame + 1}: downscaled from ${prepared.width}x${prepared.height} to fit ${limits.ocrMaxPixels} pixels for OCR`);
    }
    const lines = await ocr.recognize(prepared.png);
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
