/** A worksheet as the spreadsheet adapters hand it over: only the cells that hold something. */
export interface SheetGrid {
  name: string;
  hidden: boolean;
  /** row → column → display text; both 1-based. A merged range keeps only its top-left cell. */
  cells: Map<number, Map<number, string>>;
  merges: CellRange[];
}

export interface CellRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface WorkbookRead {
  sheets: SheetGrid[];
  warnings: string[];
}

export function setCell(grid: SheetGrid, row: number, col: number, text: string): void {
  if (text === '') return;
  let cols = grid.cells.get(row);
  if (!cols) grid.cells.set(row, (cols = new Map()));
  cols.set(col, text);
}

export function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** "B3:D5" → {top: 3, left: 2, bottom: 5, right: 4}. */
export function parseRange(ref: string): CellRange | undefined {
  const m = /^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$/.exec(ref.trim().toUpperCase());
  if (!m) return undefined;
  const col = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
  const left = col(m[1]);
  const top = Number(m[2]);
  return { top, left, bottom: m[4] ? Number(m[4]) : top, right: m[3] ? col(m[3]) : left };
}

/** Excel serial day → ISO date (time appended only when there is one). */
export function serialToIso(serial: number, date1904 = false): string {
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return dateToIso(new Date(epoch + Math.round(serial * 86400) * 1000));
}

/** Spreadsheet dates carry no zone: they are read as UTC wall-clock values. */
export function dateToIso(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19);
}

/** True for number formats that show a date or time (quoted text and [colour] parts ignored). */
export function isDateFormat(format: string | undefined): boolean {
  if (!format || format === 'General') return false;
  const bare = format.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '').replace(/\\./g, '');
  return /[ymdhs]/i.test(bare) && !/^[#0.,%\s]*$/.test(bare);
}

/** Numbers as a person reads them: float noise trimmed, percentages kept as percentages. */
export function formatNumber(value: number, format: string | undefined, date1904 = false): string {
  if (isDateFormat(format)) return serialToIso(value, date1904);
  if (format && /%/.test(format.replace(/"[^"]*"/g, ''))) return `${trimFloat(value * 100)}%`;
  return trimFloat(value);
}

function trimFloat(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}
