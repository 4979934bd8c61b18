import type { OcrLine } from '../image/ocr-engine';
import type { PageElement } from './pdf-leaf';

export interface LaidOutPage {
  page: number;
  width: number;
  height: number;
  elements: PageElement[];
  /** Lines read by OCR when the page had no usable text layer, in page points. */
  ocrLines?: OcrLine[];
}

const PAGE_NUMBER = /^(page\s*)?[-－—–]?\s*\d{1,4}\s*[-－—–]?(\s*(of|\/)\s*\d{1,4})?$|^第\s*\d{1,4}\s*页(\s*[,，]?\s*共\s*\d+\s*页)?$/i;
const MARGIN = 0.1;

/**
 * Drops running headers and footers: short lines in the top or bottom tenth of the page whose text,
 * digits aside, recurs on at least half of the pages (three at least), and bare page numbers there.
 */
export function dropPageFurniture(pages: LaidOutPage[]): number {
  const key = (e: PageElement) => e.text.replace(/\d+/g, '#').replace(/\s+/g, '');
  const inMargin = (p: LaidOutPage, e: PageElement) =>
    e.kind !== 'table' && e.lines <= 2 && e.text.length <= 120 && (e.bbox.y + e.bbox.height < p.height * MARGIN || e.bbox.y > p.height * (1 - MARGIN));
  const seen = new Map<string, number>();
  for (const p of pages) {
    const keys = new Set(p.elements.filter((e) => inMargin(p, e)).map(key));
    for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const threshold = Math.max(3, Math.ceil(pages.length / 2));
  let dropped = 0;
  for (const p of pages) {
    const before = p.elements.length;
    p.elements = p.elements.filter((e) => !(inMargin(p, e) && (PAGE_NUMBER.test(e.text.trim()) || (seen.get(key(e)) ?? 0) >= threshold)));
    dropped += before - p.elements.length;
  }
  return dropped;
}
