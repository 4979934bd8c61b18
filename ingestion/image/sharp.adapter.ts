import sharp from 'sharp';
import { CorruptDocumentError, IngestionError, LimitExceededError } from '../core/ingestion.errors';
import { decodeBmp, readBmpHeader } from './bmp-decoder';
import type { DocumentFormat } from '../core/parsed-document';

export interface PreparedFrame {
  /** PNG of the upright (EXIF-rotated), possibly downscaled frame: what OCR reads. */
  png: Buffer;
  /** Upright size of the original frame, in pixels. */
  width: number;
  height: number;
  /** Factor from original pixels to `png` pixels: ≤ 1 unless an enlarged copy was asked for. */
  scale: number;
}

export interface ImageLimits {
  maxPixels: number;
  ocrMaxPixels: number;
  maxPages: number;
}

export async function countFrames(bytes: Uint8Array, format: DocumentFormat, limits: ImageLimits): Promise<number> {
  if (format === 'bmp') {
    const { width, height } = readBmpHeader(bytes);
    if (width * height > limits.maxPixels) throw new LimitExceededError('pixels', width * height, limits.maxPixels);
    return 1;
  }
  const meta = await readMetadata(bytes, format);
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (!width || !height) throw new CorruptDocumentError(format, 'the image has no size');
  if (width * height > limits.maxPixels) throw new LimitExceededError('pixels', width * height, limits.maxPixels);
  const frames = meta.pages ?? 1;
  if (frames > limits.maxPages) throw new LimitExceededError('pages', frames, limits.maxPages);
  return frames;
}

/** Decodes one frame, turns it upright by its EXIF orientation and shrinks it to the OCR pixel budget. */
export async function prepareFrame(bytes: Uint8Array, format: DocumentFormat, frame: number, limits: ImageLimits, enlarge = 1): Promise<PreparedFrame> {
  try {
    const input = openFrame(bytes, format, frame, limits).rotate();
    const { data, info } = await input.png().toBuffer({ resolveWithObject: true });
    const pixels = info.width * info.height;
    // `enlarge` > 1 asks for a bigger copy (small text), never past the OCR pixel budget.
    const scale = Math.min(enlarge, Math.sqrt(limits.ocrMaxPixels / pixels));
    if (scale === 1) return { png: data, width: info.width, height: info.height, scale: 1 };
    const png = await sharp(data).resize(Math.floor(info.width * scale), Math.floor(info.height * scale)).png().toBuffer();
    return { png, width: info.width, height: info.height, scale };
  } catch (error) {
    if (error instanceof IngestionError) throw error;
    throw new CorruptDocumentError(format, `the image could not be decoded: ${oneLine(error)} (${DAMAGED})`, { cause: error });
  }
}

function openFrame(bytes: Uint8Array, format: DocumentFormat, frame: number, limits: ImageLimits): sharp.Sharp {
  if (format === 'bmp') {
    const { rgb, width, height } = decodeBmp(bytes);
    return sharp(rgb, { raw: { width, height, channels: 3 } });
  }
  return sharp(bytes, { page: frame, limitInputPixels: limits.maxPixels, failOn: 'truncated' });
}

async function readMetadata(bytes: Uint8Array, format: DocumentFormat) {
  try {
    // Reading the header decodes nothing; sharp's own pixel cap would turn a too-large image into a
    // "could not be read" error, where our limit gives the user the size and the maximum.
    return await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new CorruptDocumentError(format, `the image header could not be read: ${oneLine(error)} (${DAMAGED})`, { cause: error });
  }
}

export interface FrameImage {
  png: Buffer;
  width: number;
  height: number;
  /** Upright size of the original frame: the space OCR bounding boxes are in. */
  sourceWidth: number;
  sourceHeight: number;
}

/**
 * One frame upright (EXIF orientation applied), fitted inside `maxWidth` × `maxHeight` and never
 * enlarged, as PNG: what a reader checking a citation looks at.
 */
export async function renderFrame(bytes: Uint8Array, format: DocumentFormat, frame: number, maxWidth: number, maxHeight: number, limits: ImageLimits): Promise<FrameImage> {
  try {
    const meta = await openFrame(bytes, format, frame, limits).metadata();
    const width = meta.width ?? 0;
    const height = meta.pageHeight ?? meta.height ?? 0;
    // EXIF orientations 5-8 turn the picture a quarter: its upright width is the stored height.
    const quarterTurn = (meta.orientation ?? 1) >= 5;
    const [sourceWidth, sourceHeight] = quarterTurn ? [height, width] : [width, height];
    const { data, info } = await openFrame(bytes, format, frame, limits)
      .rotate()
      .resize({ width: maxWidth, height: maxHeight, fit: 'inside', withoutEnlargement: true })
      .png()
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height, sourceWidth, sourceHeight };
  } catch (error) {
    if (error instanceof IngestionError) throw error;
    throw new CorruptDocumentError(format, `the image could not be decoded: ${oneLine(error)} (${DAMAGED})`, { cause: error });
  }
}

/**
 * A rendered page as a palette PNG (libimagequant, 256 colours): a text page at 1000 px is about
 * 200 KB instead of the 550 KB of a truecolour PNG, and looks the same at reading size.
 */
export function compactPng(rgba: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(rgba, { raw: { width, height, channels: 4 } }).png({ palette: true, effort: 4 }).toBuffer();
}

const DAMAGED = 'the file is truncated or damaged: upload a complete copy';

/** libvips reports over several lines ("…premature end of JPEG image\nvips2png: unable to write"). */
function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error).replace(/\s*\n\s*/g, '; ').trim();
}
