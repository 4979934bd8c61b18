import { createCanvas, DOMMatrix, ImageData, Path2D, type Canvas } from '@napi-rs/canvas';

export interface PageCanvas {
  canvas: Canvas;
  context: ReturnType<Canvas['getContext']>;
  width: number;
  height: number;
}

/** A white canvas to render one PDF page on (pdf.js leaves transparent pixels otherwise). */
export function createPageCanvas(width: number, height: number): PageCanvas {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  return { canvas, context, width, height };
}

/** True when nearly every sampled pixel is white: a blank page needs no OCR. */
export function isBlank(page: PageCanvas): boolean {
  const { data } = page.context.getImageData(0, 0, page.width, page.height);
  let dark = 0;
  // Every 7th pixel is plenty to tell ink from paper and keeps this off the profile.
  for (let i = 0; i < data.length; i += 28) {
    if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) dark++;
  }
  return dark < (data.length / 28) * 0.001;
}

/**
 * The page as a greyscale PGM (P5) for OCR: an uncompressed header plus one byte a pixel, which
 * Leptonica reads inside tesseract as readily as PNG. Against PNG it saves the deflate on this
 * side and the inflate on tesseract's (about 0.7 s of a 4.5 s scanned page, same text).
 */
export function encodeGreyPgm(page: PageCanvas): Buffer {
  const { data } = page.context.getImageData(0, 0, page.width, page.height);
  const header = Buffer.from(`P5\n${page.width} ${page.height}\n255\n`, 'latin1');
  const out = Buffer.allocUnsafe(header.length + page.width * page.height);
  header.copy(out);
  // ITU-R BT.601 luma in integer arithmetic.
  for (let i = 0, j = header.length; j < out.length; i += 4, j++) out[j] = (data[i] * 77 + data[i + 1] * 150 + data[i + 2] * 29) >> 8;
  return out;
}

/** The page's pixels, RGBA row by row, for an encoder other than the canvas's own. */
export function rgbaPixels(page: PageCanvas): Buffer {
  const { data } = page.context.getImageData(0, 0, page.width, page.height);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Frees the pixels now: a 12 MP page holds 48 MB of native memory the GC does not see. */
export function releaseCanvas(page: PageCanvas): void {
  page.canvas.width = 0;
  page.canvas.height = 0;
}

/**
 * pdf.js draws with whatever Path2D/DOMMatrix/ImageData it finds globally and otherwise polyfills
 * them from its own nested copy of @napi-rs/canvas; objects of that copy are rejected by our
 * canvases. Installing ours before pdf.js loads keeps one canvas implementation throughout.
 */
export function installCanvasGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  g.Path2D ??= Path2D;
  g.DOMMatrix ??= DOMMatrix;
  g.ImageData ??= ImageData;
}

/** The canvas factory pdf.js uses for its own scratch canvases (masks, patterns), on our canvas. */
export class PageCanvasFactory {
  create(width: number, height: number) {
    const canvas = createCanvas(Math.max(1, width), Math.max(1, height));
    return { canvas, context: canvas.getContext('2d') };
  }
  reset(target: { canvas: Canvas }, width: number, height: number) {
    target.canvas.width = Math.max(1, width);
    target.canvas.height = Math.max(1, height);
  }
  destroy(target: { canvas: Canvas | null; context: unknown }) {
    if (target.canvas) {
      target.canvas.width = 0;
      target.canvas.height = 0;
    }
    target.canvas = null;
    target.context = null;
  }
}
