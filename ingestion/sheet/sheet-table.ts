import type { Block } from '../core/parsed-document';
import { joinLines, normalizeText, squashSpaces } from '../text/normalize-text';
import { columnLetter, type SheetGrid } from './sheet-grid';

const NUMERIC = /^[-+]?[\d,]*\.?\d+(e[-+]?\d+)?%?$|^\d{4}-\d{2}-\d{2}/i;
const HEADER_SCAN_ROWS = 20;

/**
 * Turns one sheet into blocks: the sheet name as a heading, title rows above the table as headings,
 * and each data row as a self-contained record "header: value; header: value" with its cell range.
 */
export function sheetToBlocks(grid: SheetGrid): Block[] {
  const rows = expandMerges(grid);
  const rowNumbers = [...rows.keys()].sort((a, b) => a - b);
  const headingPath = [grid.name];
  const hidden = grid.hidden ? { hiddenSheet: true } : {};
  const blocks: Block[] = [{ text: grid.name, kind: 'heading', level: 1, provenance: { sheet: grid.name, headingPath: [] }, ...hidden }];
  if (!rowNumbers.length) return blocks;
  const usedCols = [...new Set(rowNumbers.flatMap((r) => [...rows.get(r)!.keys()]))].sort((a, b) => a - b);
  const first = usedCols[0];
  const last = usedCols[usedCols.length - 1];
  const widest = Math.max(...rowNumbers.slice(0, HEADER_SCAN_ROWS).map((r) => distinctValues(rows.get(r)!)));

  let cursor = 0;
  const titles: string[] = [];
  // Leading rows holding one value (often a merged banner) are titles, not the header.
  while (cursor < rowNumbers.length - 1 && isTitleRow(rows.get(rowNumbers[cursor])!) && widest > 1) {
    const r = rowNumbers[cursor];
    const text = [...rows.get(r)!.values()][0];
    titles.push(text);
    blocks.push({ text, kind: 'heading', level: 2, provenance: { sheet: grid.name, cellRange: rangeOf(rows.get(r)!, r), headingPath: [...headingPath] }, ...hidden });
    cursor++;
  }
  const headerAt = findHeaderRow(rows, rowNumbers, cursor, widest);
  let header: Map<number, string>;
  if (headerAt === undefined) {
    header = new Map(usedCols.map((c) => [c, columnLetter(c)]));
  } else {
    header = new Map(rows.get(rowNumbers[headerAt])!);
    cursor = headerAt + 1;
    // A header row with merged group cells continues on the next row: "group / sub".
    const next = rowNumbers[cursor];
    if (next !== undefined && hasHeaderMerge(grid, rowNumbers[headerAt]) && isHeaderLike(rows.get(next)!, widest)) {
      for (const [c, sub] of rows.get(next)!) {
        const top = header.get(c);
        header.set(c, top && top !== sub ? `${top} / ${sub}` : sub);
      }
      cursor++;
    }
  }
  const context = [...headingPath, ...titles];
  for (; cursor < rowNumbers.length; cursor++) {
    const r = rowNumbers[cursor];
    const cells = rows.get(r)!;
    const pairs = [...cells.entries()].sort((a, b) => a[0] - b[0]).map(([c, v]) => `${header.get(c) ?? columnLetter(c)}: ${v}`);
    if (!pairs.length) continue;
    blocks.push({
      text: pairs.join('; '),
      kind: 'table_row',
      provenance: { sheet: grid.name, cellRange: `${columnLetter(first)}${r}:${columnLetter(last)}${r}`, headingPath: context },
      ...hidden,
    });
  }
  return blocks;
}

/** Copies each merged range's value into the used columns it covers (never the empty width). */
function expandMerges(grid: SheetGrid): Map<number, Map<number, string>> {
  // Line breaks inside a cell are layout, not content: "含\n量" is one header.
  const clean = (v: string) => squashSpaces(normalizeText(v.split(/\s*\n\s*/).reduce((a, b) => joinLines(a, b), '')));
  const rows = new Map([...grid.cells].map(([r, cols]) => [r, new Map([...cols].map(([c, v]) => [c, clean(v)] as [number, string]).filter(([, v]) => v !== ''))]));
  const used = new Set([...grid.cells.values()].flatMap((cols) => [...cols.keys()]));
  for (const m of grid.merges) {
    const value = rows.get(m.top)?.get(m.left);
    if (value === undefined || m.bottom - m.top > 10_000) continue;
    for (let r = m.top; r <= m.bottom; r++) {
      for (const c of used) {
        if (c < m.left || c > m.right) continue;
        let cols = rows.get(r);
        if (!cols) rows.set(r, (cols = new Map()));
        if (!cols.has(c)) cols.set(c, value);
      }
    }
  }
  return rows;
}

function isTitleRow(cells: Map<number, string>): boolean {
  return distinctValues(cells) === 1 && !NUMERIC.test([...cells.values()][0].trim());
}

function distinctValues(cells: Map<number, string>): number {
  return new Set(cells.values()).size;
}

function isHeaderLike(cells: Map<number, string>, widest: number): boolean {
  const values = [...cells.values()];
  const texts = values.filter((v) => !NUMERIC.test(v.trim()));
  return values.length >= Math.max(2, Math.ceil(widest * 0.5)) && texts.length >= values.length * 0.6;
}

function findHeaderRow(rows: Map<number, Map<number, string>>, rowNumbers: number[], from: number, widest: number): number | undefined {
  for (let i = from; i < Math.min(rowNumbers.length, from + HEADER_SCAN_ROWS); i++) {
    if (isHeaderLike(rows.get(rowNumbers[i])!, widest)) return i;
  }
  return undefined;
}

function hasHeaderMerge(grid: SheetGrid, row: number): boolean {
  return grid.merges.some((m) => (m.top === row && m.right > m.left) || (m.top === row && m.bottom > m.top));
}

function rangeOf(cells: Map<number, string>, r: number): string {
  const cols = [...cells.keys()].sort((a, b) => a - b);
  return `${columnLetter(cols[0])}${r}:${columnLetter(cols[cols.length - 1])}${r}`;
}
