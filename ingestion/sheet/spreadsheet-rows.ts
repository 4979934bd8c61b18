import { detectFormat } from '../core/format.detector';
import { UnsupportedFormatError } from '../core/ingestion.errors';
import type { TextEncodingName } from '../text/decode-text';
import { decodeText } from '../text/decode-text';
import { parseCsvRecords, sniffDelimiter } from './csv.parser';
import { readWorkbook } from './workbook.parser';

export interface SheetRows {
  name: string;
  /** Rows as the cells' display text, 1-based row numbers kept; empty rows are left out. */
  rows: Array<{ row: number; cells: string[] }>;
}

export interface SpreadsheetRows {
  format: 'csv' | 'xlsx' | 'xls';
  sheets: SheetRows[];
  /** For CSV: the encoding the bytes were read in (GB18030 when they were not UTF-8). */
  encoding?: TextEncodingName;
  warnings: string[];
}

/**
 * The cells of a CSV or workbook, verbatim (no header guessing, no text normalisation), for callers
 * that map columns themselves, such as dataset import. Same readers as `parse`: CSV with encoding
 * detection, xlsx through exceljs with SheetJS as fallback, xls through SheetJS.
 */
export async function readSpreadsheetRows(bytes: Uint8Array, filename: string): Promise<SpreadsheetRows> {
  const detection = detectFormat(bytes, filename);
  if (detection.format === 'csv' || (detection.format === 'txt' && /\.(csv|tsv)$/i.test(filename))) {
    const { text, encoding } = decodeText(bytes);
    const records = parseCsvRecords(text, sniffDelimiter(text));
    return { format: 'csv', encoding, warnings: [], sheets: [{ name: filename.replace(/^.*[\\/]/, ''), rows: records.map((cells, i) => ({ row: i + 1, cells })) }] };
  }
  if (detection.format !== 'xlsx' && detection.format !== 'xls') throw new UnsupportedFormatError(detection.format);
  const read = await readWorkbook(bytes, detection.format);
  const sheets = read.sheets.map((grid) => {
    const width = Math.max(0, ...[...grid.cells.values()].flatMap((cols) => [...cols.keys()]));
    const rows = [...grid.cells.keys()]
      .sort((a, b) => a - b)
      .map((row) => ({ row, cells: Array.from({ length: width }, (_, c) => grid.cells.get(row)?.get(c + 1) ?? '') }))
      .filter((r) => r.cells.some((v) => v.trim() !== ''));
    return { name: grid.name, rows };
  });
  return { format: detection.format, sheets, warnings: read.warnings };
}
