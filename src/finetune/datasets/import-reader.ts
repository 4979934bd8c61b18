import { readSpreadsheetRows } from '../../../ingestion';
import { checkRecord, type DatasetRecord, type RowReject } from './dataset-record';
import { DatasetFileError } from './datasets.errors';
import { fromAlpaca } from './formats/alpaca.format';
import { fromShareGpt } from './formats/sharegpt.format';
import { fromTableRow, mapColumns, missingColumns } from './formats/table.format';

type RawRow = { row: number; value: unknown } | { row: number; error: string };

export type ImportFormat = 'alpaca' | 'sharegpt' | 'csv' | 'xlsx';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['alpaca', 'sharegpt', 'csv', 'xlsx'];

export interface ReadResult {
  format: ImportFormat;
  /** json, jsonl, csv or xlsx: how the file was laid out. */
  layout: 'json' | 'jsonl' | 'csv' | 'xlsx';
  encoding: 'utf-8' | 'gb18030';
  good: Array<{ row: number; record: DatasetRecord }>;
  rejects: RowReject[];
  warnings: string[];
}

/**
 * Reads a dataset file into checked records and a row-by-row list of what was refused. The format
 * comes from the content when it is not given. File-level damage (no usable layout, undecodable
 * bytes in a JSON array, a table without question/answer columns) throws DatasetFileError.
 */
export async function readDatasetFile(bytes: Uint8Array, filename: string, format?: ImportFormat): Promise<ReadResult> {
  if (isSpreadsheetContainer(bytes) || format === 'xlsx') return readTable(bytes, filename, 'xlsx', format);
  const { text, encoding, warnings } = decode(bytes, filename);
  const start = text.trimStart()[0];
  if (format === 'csv' || (!format && start !== '[' && start !== '{')) return readTable(bytes, filename, 'csv', format);
  const result: ReadResult = { format: format ?? 'alpaca', layout: 'jsonl', encoding, good: [], rejects: [], warnings };
  let rows: RawRow[];
  const whole = start === '[' ? tryJson(text) : undefined;
  if (whole !== undefined) {
    if (!Array.isArray(whole)) throw new DatasetFileError(`${filename}: a JSON dataset must be a list of records`);
    result.layout = 'json';
    rows = whole.map((value, i) => ({ row: i + 1, value }));
  } else if (start === '[') {
    throw new DatasetFileError(`${filename}: not valid JSON (${jsonError(text)}); a JSON dataset is one list, JSONL is one record per line`);
  } else {
    rows = text.split('\n').flatMap((line, i): RawRow[] => {
      if (!line.trim()) return [];
      if (line.includes('\uFFFD')) return [{ row: i + 1, error: 'line is not valid UTF-8 or GBK text' }];
      try {
        return [{ row: i + 1, value: JSON.parse(line) as unknown }];
      } catch (error) {
        return [{ row: i + 1, error: `broken JSON line: ${(error as Error).message}` }];
      }
    });
  }
  if (!format) result.format = detectJsonFormat(rows);
  const convert = result.format === 'sharegpt' ? fromShareGpt : fromAlpaca;
  for (const r of rows) {
    if ('error' in r) result.rejects.push({ row: r.row, reason: r.error });
    else if (typeof r.value !== 'object' || r.value === null || Array.isArray(r.value)) result.rejects.push({ row: r.row, reason: 'not a JSON object' });
    else accept(result, r.row, convert(r.value as Record<string, unknown>));
  }
  return result;
}

function accept(result: ReadResult, row: number, candidate: Partial<DatasetRecord> | string, sheet?: string): void {
  const checked = typeof candidate === 'string' ? candidate : checkRecord(candidate);
  if (typeof checked === 'string') result.rejects.push({ row, reason: checked, ...(sheet ? { sheet } : {}) });
  else result.good.push({ row, record: checked });
}

async function readTable(bytes: Uint8Array, filename: string, layout: 'csv' | 'xlsx', format?: ImportFormat): Promise<ReadResult> {
  const warnings = layout === 'csv' ? decode(bytes, filename).warnings : [];
  let read;
  try {
    read = await readSpreadsheetRows(bytes, layout === 'csv' && !/\.(csv|tsv)$/i.test(filename) ? `${filename}.csv` : filename);
  } catch (error) {
    throw new DatasetFileError(`${filename}: cannot read it as ${format ?? layout}: ${(error as Error).message}`);
  }
  const result: ReadResult = { format: read.format === 'csv' ? 'csv' : 'xlsx', layout: read.format === 'csv' ? 'csv' : 'xlsx', encoding: read.encoding === 'gb18030' ? 'gb18030' : 'utf-8', good: [], rejects: [], warnings: [...warnings, ...read.warnings] };
  let mapped = 0;
  for (const sheet of read.sheets) {
    const [header, ...rows] = sheet.rows;
    if (!header) continue;
    const map = mapColumns(header.cells);
    const missing = missingColumns(map);
    if (missing.length) {
      result.warnings.push(`sheet "${sheet.name}" skipped: no column for ${missing.join('; ')}; headers found: ${header.cells.filter(Boolean).join(', ')}`);
      continue;
    }
    mapped++;
    const sheetName = read.format === 'csv' ? undefined : sheet.name;
    for (const r of rows) accept(result, r.row, fromTableRow(r.cells, map), sheetName);
  }
  if (!mapped) throw new DatasetFileError(`${filename}: no sheet has a question and an answer column. ${result.warnings.join(' ')}`);
  return result;
}

/**
 * UTF-8, or GBK/GB18030 when the bytes are not UTF-8 but read cleanly as it (with a warning);
 * otherwise the text keeps U+FFFD where the bytes were bad, so line-based layouts can reject those lines.
 */
function decode(bytes: Uint8Array, filename: string): { text: string; encoding: 'utf-8' | 'gb18030'; warnings: string[] } {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8', warnings: [] };
  } catch {
    const gbk = new TextDecoder('gb18030').decode(body);
    if (!gbk.includes('\uFFFD')) return { text: gbk, encoding: 'gb18030', warnings: [`${filename} is not UTF-8; read as GBK (GB18030)`] };
    return { text: new TextDecoder('utf-8').decode(body), encoding: 'utf-8', warnings: [`${filename} holds bytes that are neither UTF-8 nor GBK; the lines holding them are rejected`] };
  }
}

function detectJsonFormat(rows: RawRow[]): ImportFormat {
  for (const r of rows) {
    if (!('value' in r) || typeof r.value !== 'object' || r.value === null) continue;
    return 'conversations' in r.value || 'messages' in r.value ? 'sharegpt' : 'alpaca';
  }
  return 'alpaca';
}

function isSpreadsheetContainer(bytes: Uint8Array): boolean {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const ole = bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
  return zip || ole;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}
