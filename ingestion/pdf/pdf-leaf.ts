import type { BBox } from '../core/parsed-document';
import { joinLines } from '../text/normalize-text';
import type { Segment } from './pdf-segments';

/** A laid-out piece of one page before headings and headers are decided. */
export interface PageElement {
  kind: 'paragraph' | 'list_item' | 'table';
  text: string;
  bbox: BBox;
  fontSize: number;
  lines: number;
  rows?: string[][];
}

export const LIST_MARKER = /^([•●○◦▪■◆►✓\-–—*·]\s*|\(?\d{1,2}[.)](?=\s)|\d{1,2}、|[a-z][.)](?=\s)|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)/u;
/** A numbered sub-heading set in body size ("3.1 Traces") ends its line's paragraph. */
const NUMBERED_LINE = /^\d{1,2}(\.\d{1,2})+\s+\S/;

/** Turns one XY-cut leaf into tables (rows of several cells) and paragraphs (joined lines). */
export function layoutLeaf(segments: Segment[]): PageElement[] {
  const rows = groupByRow(segments);
  const elements: PageElement[] = [];
  let pending: Segment[][] = [];
  let i = 0;
  while (i < rows.length) {
    const end = tableRunEnd(rows, i);
    if (end > i) {
      elements.push(...paragraphs(pending));
      pending = [];
      const table = buildTable(rows.slice(i, end));
      // Prose beside a figure or listing is two flows side by side, not a table: read each in turn.
      if (isProse(table)) for (const flow of splitFlows(rows.slice(i, end), table)) elements.push(...paragraphs(flow));
      else elements.push(table);
      i = end;
    } else {
      pending.push(rows[i]);
      i++;
    }
  }
  elements.push(...paragraphs(pending));
  return elements;
}

function groupByRow(segments: Segment[]): Segment[][] {
  const byRow = new Map<number, Segment[]>();
  for (const s of segments) byRow.set(s.row, [...(byRow.get(s.row) ?? []), s]);
  return [...byRow.values()].map((r) => r.sort((a, b) => a.x0 - b.x0)).sort((a, b) => a[0].y0 - b[0].y0);
}

/** Rows from `start` that form a table: at least two rows of several cells, close together. */
function tableRunEnd(rows: Segment[][], start: number): number {
  if (rows[start].length < 2) return start;
  let end = start;
  let multi = 0;
  let i = start;
  while (i < rows.length) {
    const row = rows[i];
    const prev = rows[i - 1];
    if (i > start && gapBetween(prev, row) > 2.5 * rowHeight(prev)) break;
    if (row.length >= 2) {
      multi++;
      end = i + 1;
    } else if (!(i + 1 < rows.length && rows[i + 1].length >= 2)) {
      // A single-cell row belongs to the table only when the table goes on after it.
      break;
    }
    i++;
  }
  return multi >= 2 && columnsAlign(rows.slice(start, end)) ? end : start;
}

/**
 * Table cells line up: cells start, end or centre where the cells of a reference row do (the row
 * that best explains the others; a centred header may not). Words of justified prose split at
 * wide gaps do not. Two-row tables must line up completely, longer ones mostly.
 */
function columnsAlign(rows: Segment[][]): boolean {
  const multi = rows.filter((r) => r.length >= 2);
  const size = median(multi.flat().map((s) => s.fontSize));
  const near = (a: number, b: number) => Math.abs(a - b) <= 1.0 * size;
  const lines = (s: Segment, w: Segment) => near(s.x0, w.x0) || near(s.x1, w.x1) || near((s.x0 + s.x1) / 2, (w.x0 + w.x1) / 2);
  let best = 0;
  for (const ref of multi) {
    let cells = 0;
    let aligned = 0;
    for (const row of multi) {
      if (row === ref) continue;
      for (const s of row) {
        cells++;
        if (ref.some((w) => lines(s, w))) aligned++;
      }
    }
    best = Math.max(best, cells ? aligned / cells : 1);
  }
  return best >= (multi.length <= 2 ? 1 : 0.6);
}

function rowHeight(row: Segment[]): number {
  return Math.max(...row.map((s) => s.y1 - s.y0));
}

function gapBetween(a: Segment[], b: Segment[]): number {
  return Math.min(...b.map((s) => s.y0)) - Math.max(...a.map((s) => s.y1));
}

function buildTable(rows: Segment[][]): PageElement & { anchors: [number, number][] } {
  // Column spans come from the rows with the most cells; spanning cells take the first column they cover.
  const widest = Math.max(...rows.map((r) => r.length));
  const anchors = rows.filter((r) => r.length === widest)[0].map((s) => [s.x0, s.x1] as [number, number]);
  for (const row of rows.filter((r) => r.length === widest)) {
    row.forEach((s, c) => {
      anchors[c][0] = Math.min(anchors[c][0], s.x0);
      anchors[c][1] = Math.max(anchors[c][1], s.x1);
    });
  }
  const cells = rows.map((row) => {
    const out: string[] = Array.from({ length: anchors.length }, () => '');
    for (const s of row) {
      const c = columnOf(s, anchors);
      out[c] = out[c] ? joinLines(out[c], s.text) : s.text;
    }
    return out;
  });
  const all = rows.flat();
  return {
    anchors,
    kind: 'table',
    text: cells.map((r) => r.join(' | ')).join('\n'),
    rows: cells,
    bbox: unionBox(all),
    fontSize: median(all.map((s) => s.fontSize)),
    lines: rows.length,
  };
}

/** A "table" whose widest column holds sentences (long cells in most rows) is running text. */
function isProse(table: PageElement): boolean {
  const rows = table.rows ?? [];
  const columns = rows[0]?.length ?? 0;
  for (let c = 0; c < columns; c++) {
    const cells = rows.map((r) => r[c]).filter(Boolean);
    const long = cells.filter((t) => t.length >= 40).length;
    if (cells.length >= 2 && long >= cells.length * 0.6) return true;
  }
  return false;
}

function splitFlows(rows: Segment[][], table: PageElement & { anchors?: [number, number][] }): Segment[][][] {
  const anchors = table.anchors ?? [];
  return anchors.map((_, c) => rows.map((row) => row.filter((s) => columnOf(s, anchors) === c)).filter((r) => r.length));
}

function columnOf(s: Segment, anchors: [number, number][]): number {
  let best = 0;
  let bestOverlap = -Infinity;
  anchors.forEach(([a, b], c) => {
    const overlap = Math.min(b, s.x1) - Math.max(a, s.x0);
    if (overlap > bestOverlap + 0.5) {
      bestOverlap = overlap;
      best = c;
    }
  });
  return best;
}

/** Lines join into a paragraph until a gap, a size change, an indent, a list marker or a short closing line. */
function paragraphs(rows: Segment[][]): PageElement[] {
  const lines = rows.map((row) => ({
    text: row.map((s) => s.text).join(' '),
    ...boxOf(row),
    fontSize: Math.max(...row.map((s) => s.fontSize)),
  }));
  if (!lines.length) return [];
  const left = Math.min(...lines.map((l) => l.x0));
  const right = Math.max(...lines.map((l) => l.x1));
  const out: PageElement[] = [];
  let current: (PageElement & { last: (typeof lines)[number] }) | undefined;
  for (const line of lines) {
    const isList = LIST_MARKER.test(line.text);
    if (current && !breaksBefore(current.last, line, current, left, right, isList)) {
      current.text = joinLines(current.text, line.text);
      current.bbox = mergeBox(current.bbox, line);
      current.lines++;
      current.last = line;
      continue;
    }
    current = {
      kind: isList ? 'list_item' : 'paragraph',
      text: line.text,
      bbox: { x: line.x0, y: line.y0, width: line.x1 - line.x0, height: line.y1 - line.y0 },
      fontSize: line.fontSize,
      lines: 1,
      last: line,
    };
    out.push(current);
  }
  return out.map(({ kind, text, bbox, fontSize, lines: n }) => ({ kind, text, bbox, fontSize, lines: n }));
}

interface Line {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  fontSize: number;
}

function breaksBefore(prev: Line, line: Line, para: PageElement, left: number, right: number, isList: boolean): boolean {
  const size = prev.fontSize;
  if (isList) return true;
  if (Math.abs(line.fontSize - size) > 0.15 * size) return true;
  if (line.y0 - prev.y1 > 0.7 * size) return true;
  // A first-line indent starts a paragraph; centred lines move both edges and do not.
  const indented = line.x0 - left > 1.0 * size && prev.x0 - left <= 1.0 * size && line.x0 - prev.x0 > 0.8 * size;
  if (indented && line.x1 >= right - 2 * size) return true;
  const shortLine = prev.x1 < right - 3 * size;
  if (shortLine && para.lines === 1 && NUMBERED_LINE.test(prev.text) && prev.text.length <= 80) return true;
  return shortLine && /[.!?。！？:：]["'”’)）]?$/u.test(prev.text);
}

function boxOf(row: Segment[]) {
  return {
    x0: Math.min(...row.map((s) => s.x0)),
    y0: Math.min(...row.map((s) => s.y0)),
    x1: Math.max(...row.map((s) => s.x1)),
    y1: Math.max(...row.map((s) => s.y1)),
  };
}

function unionBox(segments: Segment[]): BBox {
  const b = boxOf(segments);
  return { x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 };
}

function mergeBox(box: BBox, line: Line): BBox {
  const x0 = Math.min(box.x, line.x0);
  const y0 = Math.min(box.y, line.y0);
  const x1 = Math.max(box.x + box.width, line.x1);
  const y1 = Math.max(box.y + box.height, line.y1);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
