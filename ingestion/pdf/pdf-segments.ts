import { isCjk } from '../text/normalize-text';
import type { TextRun } from './pdfjs.adapter';

/** A horizontal stretch of text on one baseline with no wide gap inside: a line, or a table cell. */
export interface Segment {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  fontSize: number;
  /** Index of the visual row (same baseline band across the whole page). */
  row: number;
}

/** Gaps wider than this many font sizes end a segment: column gutters and table cell gaps. */
const SEGMENT_GAP_EM = 1.0;
/** Gaps wider than this many font sizes between runs read as a space. */
const SPACE_GAP_EM = 0.15;

export function buildSegments(runs: TextRun[]): Segment[] {
  const rows = groupRows(runs).map((row) => row.sort((a, b) => a.x - b.x));
  const bands = rows.map((row) => ({
    base: row[0].baseline,
    size: Math.max(...row.map((r) => r.fontSize)),
    ink: mergeIntervals(row.map((r) => [r.x, r.x + r.width] as [number, number])),
  }));
  const segments: Segment[] = [];
  rows.forEach((row, rowIndex) => {
    const breaks = rowBreaks(row, rowIndex, bands);
    let current: Segment | undefined;
    let lastRun: TextRun | undefined;
    row.forEach((run, i) => {
      const size = Math.max(run.fontSize, lastRun?.fontSize ?? 0);
      const gap = current ? run.x - current.x1 : 0;
      if (!current || breaks.has(i)) {
        current = { text: run.text, x0: run.x, y0: run.y, x1: run.x + run.width, y1: run.y + run.height, fontSize: run.fontSize, row: rowIndex };
        segments.push(current);
      } else {
        const needsSpace =
          gap > SPACE_GAP_EM * size && !/\s$/.test(current.text) && !/^\s/.test(run.text) && !(isCjk(current.text.slice(-1)) && isCjk(run.text[0]));
        current.text += (needsSpace ? ' ' : '') + run.text;
        current.x1 = Math.max(current.x1, run.x + run.width);
        current.y0 = Math.min(current.y0, run.y);
        current.y1 = Math.max(current.y1, run.y + run.height);
        // Superscripts and footnote marks must not lower the size that decides headings.
        if (run.text.trim().length >= 2 || run.fontSize > current.fontSize) current.fontSize = Math.max(current.fontSize, run.fontSize);
      }
      lastRun = run;
    });
  });
  for (const s of segments) s.text = s.text.replace(/\s+/g, ' ').trim();
  return attachMarkers(segments.filter((s) => s.text !== ''));
}

const MARKER = /^(\d{1,2}(\.\d{1,2})*\.|[•●○◦▪■◆►✓·])$/u;

/**
 * A bullet or section number set apart from its text ("2.   Overview", "•   We explain") belongs to
 * the segment after it; left alone it would look like a table column or a column of its own.
 */
function attachMarkers(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const next = segments[i + 1];
    const firstInRow = i === 0 || segments[i - 1].row !== s.row;
    if (next && firstInRow && next.row === s.row && MARKER.test(s.text) && next.x0 - s.x1 < 3 * s.fontSize) {
      next.text = `${s.text} ${next.text}`;
      next.x0 = s.x0;
      next.y0 = Math.min(next.y0, s.y0);
      next.y1 = Math.max(next.y1, s.y1);
      continue;
    }
    out.push(s);
  }
  return out;
}

interface Band {
  base: number;
  size: number;
  ink: [number, number][];
}

/**
 * Which runs of a row start a new segment. A gap over 2.5 em always does (gutters, table columns).
 * A gap of 1 to 2.5 em does only where the rows above or below are blank there too, as in a table;
 * justified text spreads its words that wide in narrow columns, but its neighbours cover the gap.
 */
function rowBreaks(row: TextRun[], rowIndex: number, bands: Band[]): Set<number> {
  const breaks = new Set<number>();
  const here = bands[rowIndex];
  const neighbours = [bands[rowIndex - 1], bands[rowIndex + 1]].filter((b) => b && Math.abs(b.base - here.base) <= 2.5 * Math.max(b.size, here.size));
  const candidates: { index: number; start: number; end: number; size: number; spread: boolean }[] = [];
  const gaps: number[] = [];
  let right = row[0]?.x + row[0]?.width;
  for (let i = 1; i < row.length; i++) {
    gaps[i] = row[i].x - right;
    right = Math.max(right, row[i].x + row[i].width);
  }
  for (let i = 1; i < row.length; i++) {
    const size = Math.max(row[i].fontSize, row[i - 1].fontSize);
    if (gaps[i] <= SEGMENT_GAP_EM * size) continue;
    // Justification spreads every word gap of a line alike: a wide gap between words flanked by
    // an equal one is probably spacing, and must prove itself a column with a clear channel.
    const same = (g: number | undefined) => g !== undefined && Math.abs(g - gaps[i]) <= 0.15 * gaps[i];
    const words = /\p{L}/u.test(row[i - 1].text) && /\p{L}/u.test(row[i].text);
    const spread = words && (same(gaps[i - 1]) || same(gaps[i + 1]));
    candidates.push({ index: i, start: row[i].x - gaps[i], end: row[i].x, size, spread });
  }
  for (const c of candidates) {
    const width = c.end - c.start;
    if (width > 2.5 * c.size || !neighbours.length) {
      breaks.add(c.index);
      continue;
    }
    const windows: [number, number][] = [
      [c.end - 0.6 * c.size, c.end - 0.1 * c.size],
      [c.start + 0.1 * c.size, c.start + 0.6 * c.size],
    ];
    const clear = (band: Band, [a, b]: [number, number]) => !band.ink.some(([x0, x1]) => x0 < b && x1 > a);
    // An evenly spread gap (justification, or a header over even columns) needs a clear channel
    // through a neighbour; any other gap needs the neighbour clear at one of its edges.
    const open = (band: Band) => (c.spread ? windows.every((w) => clear(band, w)) : windows.some((w) => clear(band, w)));
    if (neighbours.some(open)) breaks.add(c.index);
  }
  return breaks;
}

/** Runs whose baselines lie within half a font size of each other share a row. */
function groupRows(runs: TextRun[]): TextRun[][] {
  const sorted = [...runs].sort((a, b) => a.baseline - b.baseline || a.x - b.x);
  const rows: { base: number; size: number; runs: TextRun[] }[] = [];
  for (const run of sorted) {
    const base = run.baseline;
    let target: (typeof rows)[number] | undefined;
    for (let i = rows.length - 1; i >= Math.max(0, rows.length - 4); i--) {
      const row = rows[i];
      if (Math.abs(row.base - base) <= 0.5 * Math.max(row.size, run.height)) {
        target = row;
        break;
      }
    }
    if (target) {
      target.runs.push(run);
      if (run.height > target.size) {
        target.size = run.height;
        target.base = base;
      }
    } else rows.push({ base, size: run.height, runs: [run] });
  }
  return rows.map((r) => r.runs);
}

/**
 * Recursive XY-cut: split at column gutters when both sides read like text columns, otherwise at
 * wide horizontal gaps; the leaves come back in reading order (top to bottom, left to right).
 */
export function xyCut(segments: Segment[]): Segment[][] {
  if (segments.length <= 1) return segments.length ? [segments] : [];
  const columns = splitColumns(segments);
  if (columns) return columns.flatMap(xyCut);
  const bands = splitBands(segments);
  if (bands) return bands.flatMap(xyCut);
  return [segments];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}

function splitColumns(segments: Segment[]): Segment[][] | undefined {
  const size = median(segments.map((s) => s.fontSize));
  // Page numbers and marks centred under two columns must not hide the gutter between them.
  const tiny = (s: Segment) => s.text.length <= 6 && s.x1 - s.x0 < 4 * s.fontSize;
  const body = segments.filter((s) => !tiny(s));
  if (body.length < 2) return undefined;
  const left = Math.min(...body.map((s) => s.x0));
  const right = Math.max(...body.map((s) => s.x1));
  const regionWidth = right - left;
  const spans = mergeIntervals(body.map((s) => [s.x0, s.x1] as [number, number]));
  if (spans.length < 2) return undefined;
  const cuts: number[] = [];
  for (let i = 0; i + 1 < spans.length; i++) {
    if (spans[i + 1][0] - spans[i][1] < 1.0 * size) continue;
    const cut = (spans[i][1] + spans[i + 1][0]) / 2;
    const prev = cuts.length ? cuts[cuts.length - 1] : -Infinity;
    const leftSide = body.filter((s) => s.x1 <= cut && s.x0 >= prev);
    const rightSide = body.filter((s) => s.x0 >= cut);
    const gap = spans[i + 1][0] - spans[i][1];
    const both = readsLikeColumn(leftSide, regionWidth) && readsLikeColumn(rightSide, regionWidth);
    // A text column beside a figure or code listing: the sides do not share their rows as a table's do.
    const beside =
      gap >= 1.5 * size &&
      (readsLikeColumn(leftSide, regionWidth) || readsLikeColumn(rightSide, regionWidth)) &&
      Math.min(leftSide.length, rightSide.length) >= 3 &&
      sharedRows(leftSide, rightSide) < 0.5;
    if (both || beside) cuts.push(cut);
  }
  if (!cuts.length) return undefined;
  const columns: Segment[][] = cuts.map(() => []).concat([[]]);
  for (const s of segments) columns[cuts.filter((c) => c < (s.x0 + s.x1) / 2).length].push(s);
  return columns.filter((c) => c.length);
}

/**
 * Text columns are filled by their lines; a table split between its columns is not: its cells are
 * narrow next to the side they sit on. This keeps table rows together.
 */
function readsLikeColumn(side: Segment[], regionWidth: number): boolean {
  if (new Set(side.map((s) => s.row)).size < 2) return false;
  const width = Math.max(...side.map((s) => s.x1)) - Math.min(...side.map((s) => s.x0));
  const typical = median(side.map((s) => s.x1 - s.x0));
  return typical >= 0.5 * width && typical >= 0.25 * regionWidth;
}

function sharedRows(a: Segment[], b: Segment[]): number {
  const rowsA = new Set(a.map((s) => s.row));
  const rowsB = new Set(b.map((s) => s.row));
  const shared = [...rowsA].filter((r) => rowsB.has(r)).length;
  return shared / Math.min(rowsA.size, rowsB.size);
}

function splitBands(segments: Segment[]): Segment[][] | undefined {
  const size = median(segments.map((s) => s.fontSize));
  const spans = mergeIntervals(segments.map((s) => [s.y0, s.y1] as [number, number]));
  const cuts: number[] = [];
  for (let i = 0; i + 1 < spans.length; i++) {
    if (spans[i + 1][0] - spans[i][1] >= 1.0 * size) cuts.push((spans[i][1] + spans[i + 1][0]) / 2);
  }
  if (!cuts.length) return undefined;
  const bounds = [-Infinity, ...cuts, Infinity];
  return bounds
    .slice(0, -1)
    .map((lo, i) => segments.filter((s) => (s.y0 + s.y1) / 2 > lo && (s.y0 + s.y1) / 2 <= bounds[i + 1]))
    .filter((b) => b.length);
}

function mergeIntervals(intervals: [number, number][]): [number, number][] {
  const sorted = intervals.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
