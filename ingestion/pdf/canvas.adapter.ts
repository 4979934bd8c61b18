import { createCanvas, type Canvas } from '@napi-rs/canvas';

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

export function encodePng(page: PageCanvas): Buffer {
  return page.canvas.toBuffer('image/png');
}
