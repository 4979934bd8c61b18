import type { ParsedDocument } from '../core/parsed-document';
import { setCell, type SheetGrid } from './sheet-grid';
import { sheetToBlocks } from './sheet-table';

/** RFC 4180 records; every value stays the string it was (`00123` stays `00123`). */
export function parseCsvRecords(text: string, delimiter: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => r.some((v) => v.trim() !== ''));
}

export function sniffDelimiter(text: string): string {
  const lines = text.split(/\r?\n/, 10);
  let best = ',';
  let bestScore = 0;
  for (const d of [',', '\t', ';', '|']) {
    const counts = lines.map((l) => l.split(d).length - 1).filter((n) => n > 0);
    const score = counts.length && counts.every((n) => n === counts[0]) ? counts.length * 10 + counts[0] : counts.length;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

export function parseCsv(text: string, filename: string): ParsedDocument {
  const records = parseCsvRecords(text, sniffDelimiter(text));
  const name = filename.replace(/^.*[\\/]/, '') || 'csv';
  const grid: SheetGrid = { name, hidden: false, cells: new Map(), merges: [] };
  records.forEach((record, r) => record.forEach((value, c) => setCell(grid, r + 1, c + 1, value.trim())));
  return { filename, blocks: sheetToBlocks(grid), metadata: { format: 'csv', pages: 1, warnings: [] } };
}
