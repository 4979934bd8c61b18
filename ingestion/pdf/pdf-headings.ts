import type { Block } from '../core/parsed-document';
import type { LaidOutPage } from './page-furniture';
import type { PageElement } from './pdf-leaf';

const NUMBERED_HEADING = /^(\d{1,2}(\.\d{1,2}){0,3}\.?\s+[\p{Lu}\p{Script=Han}]|第[一二三四五六七八九十百\d]{1,4}[章节部分篇条]|[一二三四五六七八九十]{1,3}、)/u;

const round = (size: number) => Math.round(size * 2) / 2;

/** The size most characters are set in: everything notably larger is a heading. */
export function bodyFontSize(pages: LaidOutPage[]): number {
  const weight = new Map<number, number>();
  for (const p of pages) {
    for (const e of p.elements) weight.set(round(e.fontSize), (weight.get(round(e.fontSize)) ?? 0) + e.text.length);
  }
  let best = 0;
  let bestWeight = -1;
  for (const [size, w] of weight) {
    if (w > bestWeight) {
      best = size;
      bestWeight = w;
    }
  }
  return best;
}

function isHeading(e: PageElement, body: number): 'size' | 'numbered' | undefined {
  if (e.kind === 'table' || e.lines > 3 || e.text.length > 150 || !/[\p{L}\p{N}]/u.test(e.text)) return undefined;
  if (e.fontSize >= body * 1.15) return 'size';
  if (e.lines === 1 && e.text.length <= 80 && e.fontSize >= body * 0.95 && NUMBERED_HEADING.test(e.text) && !/[.。;；,，]$/.test(e.text)) {
    return 'numbered';
  }
  return undefined;
}

/**
 * Turns laid-out pages into blocks: headings levelled by size (largest first; a numbered heading
 * in body size sits below them by its depth), the largest heading on page 1 as the title, and every
 * block given the heading path above it.
 */
export function toBlocks(pages: LaidOutPage[]): { blocks: Block[]; title?: string } {
  const body = bodyFontSize(pages);
  const sizes = new Set<number>();
  for (const p of pages) for (const e of p.elements) if (isHeading(e, body) === 'size') sizes.add(round(e.fontSize));
  const ordered = [...sizes].sort((a, b) => b - a);
  const levelOf = (size: number) => Math.min(6, ordered.indexOf(round(size)) + 1);
  const largest = ordered[0];
  let title: string | undefined;
  const stack: { level: number; text: string }[] = [];
  const blocks: Block[] = [];
  for (const p of pages) {
    for (const e of p.elements) {
      const heading = isHeading(e, body);
      const provenance = { page: p.page, bbox: roundBox(e.bbox), headingPath: stack.map((h) => h.text), source: 'text' as const };
      if (!heading) {
        blocks.push({ text: e.text, kind: e.kind, provenance, ...(e.rows ? { rows: e.rows } : {}) });
        continue;
      }
      let level = heading === 'size' ? levelOf(e.fontSize) : Math.min(6, ordered.length + numberingDepth(e.text));
      const isTitle = title === undefined && p.page === 1 && heading === 'size' && round(e.fontSize) === largest && blocks.every((b) => b.kind !== 'heading');
      if (isTitle) {
        title = e.text;
        level = 0;
      }
      while (stack.length && stack[stack.length - 1].level >= level) stack.pop();
      provenance.headingPath = stack.map((h) => h.text);
      blocks.push({ text: e.text, kind: isTitle ? 'title' : 'heading', level, provenance });
      stack.push({ level, text: e.text });
    }
    for (const line of p.ocrLines ?? []) {
      blocks.push({
        text: line.text,
        kind: 'ocr_line',
        confidence: line.confidence,
        provenance: { page: p.page, bbox: roundBox(line.bbox), headingPath: stack.map((h) => h.text), source: 'ocr' },
      });
    }
  }
  return { blocks, title };
}

/** "3.1 Traces" → 2, "2. Overview" → 1, "第三章" → 1. */
function numberingDepth(text: string): number {
  return /^\d+(\.\d+)*/.exec(text)?.[0].split('.').filter(Boolean).length ?? 1;
}

function roundBox(b: { x: number; y: number; width: number; height: number }) {
  const r = (v: number) => Math.round(v * 10) / 10;
  return { x: r(b.x), y: r(b.y), width: r(b.width), height: r(b.height) };
}
