/**
 * GPT-2's byte ↔ printable-character table: every byte gets a visible Unicode character so BPE can
 * work on strings. Printable Latin-1 bytes map to themselves, the rest to U+0100 onwards.
 */
function buildTable(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCharCode(b);
  let next = 0;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCharCode(256 + next++);
  return table;
}

export const BYTE_TO_CHAR: readonly string[] = buildTable();
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

const encoder = new TextEncoder();

export function bytesToByteLevel(text: string): string {
  let out = '';
  for (const b of encoder.encode(text)) out += BYTE_TO_CHAR[b];
  return out;
}

/** Inverse of bytesToByteLevel; characters outside the table are kept as their UTF-8 bytes. */
export function byteLevelToBytes(text: string): number[] {
  const bytes: number[] = [];
  for (const ch of text) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b !== undefined) bytes.push(b);
    else bytes.push(...encoder.encode(ch));
  }
  return bytes;
}
