import ExcelJS from 'exceljs';
import { dateToIso, formatNumber, parseRange, setCell, type SheetGrid, type WorkbookRead } from './sheet-grid';

/**
 * exceljs keeps its built-in number formats in one table, where ids 27-36 and 50-58 (the date and
 * time formats Excel localises for Chinese, Japanese and Korean) have one code per locale and no
 * default: a cell styled with one of them lost its format and showed its serial number (43831.04).
 * Giving those ids their zh-cn code lets dates be recognised; they are written as ISO anyway.
 */
const builtInFormats = require('exceljs/lib/xlsx/defaultnumformats') as Record<string, { f?: string; 'zh-cn'?: string }>;
for (const entry of Object.values(builtInFormats)) if (!entry.f && entry['zh-cn']) entry.f = entry['zh-cn'];

/** Reads an xlsx with exceljs; throws whatever exceljs throws (the caller falls back). */
export async function readWithExcelJs(bytes: Uint8Array): Promise<WorkbookRead> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  const date1904 = Boolean(workbook.properties?.date1904);
  const warnings: string[] = [];
  const sheets: SheetGrid[] = workbook.worksheets.map((ws) => {
    const grid: SheetGrid = { name: ws.name, hidden: ws.state !== 'visible', cells: new Map(), merges: [] };
    for (const ref of ws.model.merges ?? []) {
      const range = parseRange(ref);
      if (range) grid.merges.push(range);
    }
    ws.eachRow({ includeEmpty: false }, (row, r) => {
      row.eachCell({ includeEmpty: false }, (cell, c) => {
        // Every cell of a merged range repeats the master's value: keep the master only.
        if (cell.isMerged && cell.master.address !== cell.address) return;
        const text = cellText(cell, date1904, (formula) => warnings.push(`${ws.name}!${cell.address}: formula ${formula} has no saved result`));
        setCell(grid, r, c, text);
      });
    });
    return grid;
  });
  return { sheets, warnings };
}

function cellText(cell: ExcelJS.Cell, date1904: boolean, noResult: (formula: string) => void): string {
  const value = cell.value;
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return dateToIso(value);
  if (typeof value === 'number') return formatNumber(value, cell.numFmt, date1904);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if ('richText' in value) return value.richText.map((t) => t.text).join('').trim();
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    if (result === undefined || result === null) {
      noResult(`=${(value as ExcelJS.CellFormulaValue).formula ?? (value as ExcelJS.CellSharedFormulaValue).sharedFormula}`);
      return '';
    }
    if (result instanceof Date) return dateToIso(result);
    if (typeof result === 'number') return formatNumber(result, cell.numFmt, date1904);
    if (typeof result === 'object' && 'error' in result) return String(result.error);
    return String(result).trim();
  }
  if ('hyperlink' in value) {
    const text = (value as ExcelJS.CellHyperlinkValue).text as unknown;
    if (text && typeof text === 'object' && 'richText' in text) return (text as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('');
    return String(text ?? value.hyperlink).trim();
  }
  if ('error' in value) return String(value.error);
  return String(cell.text ?? '').trim();
}
