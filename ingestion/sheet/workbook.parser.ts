import { CorruptDocumentError, EncryptedDocumentError } from '../core/ingestion.errors';
import type { ParsedDocument } from '../core/parsed-document';
import { readWithExcelJs } from './exceljs.adapter';
import type { WorkbookRead } from './sheet-grid';
import { sheetToBlocks } from './sheet-table';
import { readWithSheetJs } from './sheetjs.adapter';

/**
 * xlsx through exceljs, and through SheetJS when exceljs throws (it fails on many workbooks written
 * by other programs); legacy xls through SheetJS alone. The fallback is a warning on the result.
 */
export async function readWorkbook(bytes: Uint8Array, format: 'xlsx' | 'xls'): Promise<WorkbookRead> {
  const warnings: string[] = [];
  let read: WorkbookRead | undefined;
  if (format === 'xlsx') {
    try {
      read = await readWithExcelJs(bytes);
    } catch (error) {
      warnings.push(`exceljs could not read the workbook (${(error as Error).message}); read with SheetJS instead`);
    }
  }
  if (!read) {
    try {
      read = readWithSheetJs(bytes);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      if (/password|encrypt/i.test(message)) throw new EncryptedDocumentError('password_required');
      throw new CorruptDocumentError(format, message, { cause: error });
    }
  }
  return { ...read, warnings: [...warnings, ...read.warnings] };
}

export async function parseWorkbook(bytes: Uint8Array, filename: string, format: 'xlsx' | 'xls'): Promise<ParsedDocument> {
  const read = await readWorkbook(bytes, format);
  const blocks = read.sheets.flatMap(sheetToBlocks);
  return { filename, blocks, metadata: { format, pages: read.sheets.length, warnings: read.warnings } };
}
