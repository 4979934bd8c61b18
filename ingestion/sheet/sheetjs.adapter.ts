import * as XLSX from 'xlsx';
import { formatNumber, serialToIso, setCell, type SheetGrid, type WorkbookRead } from './sheet-grid';

/** Reads xlsx (when exceljs cannot) and legacy xls with SheetJS, touching only the stored cells. */
export function readWithSheetJs(bytes: Uint8Array): WorkbookRead {
  const workbook = XLSX.read(bytes, { type: 'array', cellDates: false, cellNF: true, cellFormula: true, cellHTML: false, dense: false });
  const date1904 = Boolean(workbook.Workbook?.WBProps?.date1904);
  const warnings: string[] = [];
  const sheets: SheetGrid[] = workbook.SheetNames.flatMap((name, index) => {
    const ws = workbook.Sheets[name];
    // A damaged workbook can list a sheet whose part is missing: read the others.
    if (!ws) {
      warnings.push(`sheet "${name}" is listed but its part is missing; skipped`);
      return [];
    }
    const hidden = Boolean(workbook.Workbook?.Sheets?.[index]?.Hidden);
    const grid: SheetGrid = { name, hidden, cells: new Map(), merges: [] };
    for (const m of ws['!merges'] ?? []) grid.merges.push({ top: m.s.r + 1, left: m.s.c + 1, bottom: m.e.r + 1, right: m.e.c + 1 });
    // Iterate the stored cells, never the declared range: a range can claim 16,384 empty columns.
    for (const address of Object.keys(ws)) {
      if (address.startsWith('!')) continue;
      const cell = ws[address] as XLSX.CellObject;
      const { r, c } = XLSX.utils.decode_cell(address);
      if (cell.f !== undefined && (cell.v === undefined || cell.v === null)) {
        warnings.push(`${name}!${address}: formula =${cell.f} has no saved result`);
        continue;
      }
      setCell(grid, r + 1, c + 1, cellText(cell, date1904));
    }
    return grid;
  });
  return { sheets, warnings };
}

function cellText(cell: XLSX.CellObject, date1904: boolean): string {
  switch (cell.t) {
    case 'n':
      // SheetJS leaves `z` unset for Excel's localised built-in date formats (ids 27-36, 50-58) yet
      // renders them as dates: its rendering is then the only sign that the number is a date.
      if (cell.z === undefined && typeof cell.w === 'string' && /\d[/:]\d/.test(cell.w)) return serialToIso(cell.v as number, date1904);
      return formatNumber(cell.v as number, typeof cell.z === 'string' ? cell.z : undefined, date1904);
    case 'b':
      return cell.v ? 'TRUE' : 'FALSE';
    case 'e':
      return cell.w ?? '#ERROR';
    case 'd':
      return cell.v instanceof Date ? cell.v.toISOString().slice(0, 10) : String(cell.v ?? '');
    case 's':
      return String(cell.v ?? '').trim();
    default:
      return '';
  }
}

/** The two streams of a password-protected OOXML file, read with SheetJS's compound-file reader. */
export function readEncryptedOoxml(bytes: Uint8Array): { encryptionInfo: Uint8Array; encryptedPackage: Uint8Array } {
  const container = XLSX.CFB.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { type: 'buffer' });
  const info = XLSX.CFB.find(container, 'EncryptionInfo');
  const pkg = XLSX.CFB.find(container, 'EncryptedPackage');
  if (!info?.content || !pkg?.content) throw new Error('encrypted container lacks EncryptionInfo or EncryptedPackage');
  return { encryptionInfo: new Uint8Array(info.content), encryptedPackage: new Uint8Array(pkg.content) };
}
