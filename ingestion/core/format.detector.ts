import { CorruptDocumentError, EncryptedDocumentError, UnsupportedFormatError } from './ingestion.errors';
import type { DocumentFormat } from './parsed-document';
import { readZipDirectory, type ZipEntry } from './zip-directory';
import { parseCsvRecords } from '../sheet/csv.parser';
import { decodeText, looksBinary } from '../text/decode-text';

export interface Detection {
  format: DocumentFormat;
  /** The zip directory when the file is a zip container (xlsx, docx). */
  zipEntries?: ZipEntry[];
  /** The decoded text when the format is textual. */
  text?: string;
}

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/**
 * Decides the format from the bytes. The file name is consulted only to break a tie between text
 * formats that the content cannot tell apart (a .md file of plain paragraphs stays markdown).
 */
export function detectFormat(bytes: Uint8Array, filename = ''): Detection {
  if (bytes.length === 0) throw new CorruptDocumentError('unknown', 'the file is empty');
  const head = bytes.subarray(0, 16);
  if (indexOfAscii(bytes.subarray(0, 1024), '%PDF-') >= 0) return { format: 'pdf' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return { format: 'png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { format: 'jpeg' };
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return { format: 'tiff' };
  if (startsWith(head, [0x42, 0x4d]) && bytes.length > 26) return { format: 'bmp' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { format: 'webp' };
  if (ascii(head, 0, 4) === 'GIF8') throw new UnsupportedFormatError('gif');
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return detectZip(bytes);
  if (startsWith(head, OLE_MAGIC)) return detectOle(bytes);
  if (looksBinary(bytes)) throw new UnsupportedFormatError('binary', 'not a document format we read');
  const { text } = decodeText(bytes);
  return { format: sniffText(text, filename), text };
}

function detectZip(bytes: Uint8Array): Detection {
  const zipEntries = readZipDirectory(bytes);
  const names = new Set(zipEntries.map((e) => e.name));
  if (names.has('xl/workbook.xml') || names.has('xl/workbook.bin')) {
    if (names.has('xl/workbook.bin')) throw new UnsupportedFormatError('xlsb');
    return { format: 'xlsx', zipEntries };
  }
  if (names.has('word/document.xml')) return { format: 'docx', zipEntries };
  if ([...names].some((n) => n.startsWith('ppt/'))) throw new UnsupportedFormatError('pptx');
  if (names.has('content.xml') && names.has('mimetype')) throw new UnsupportedFormatError('opendocument');
  throw new UnsupportedFormatError('zip', 'a zip archive that is neither an xlsx nor a docx');
}

/** OLE compound files: legacy .xls, legacy .doc, or an OOXML file wrapped by password encryption. */
function detectOle(bytes: Uint8Array): Detection {
  const has = (name: string) => indexOfUtf16(bytes, name) >= 0;
  if (has('EncryptionInfo') && has('EncryptedPackage')) throw new EncryptedDocumentError('password_required');
  if (has('Workbook') || has('Book')) return { format: 'xls' };
  if (has('WordDocument')) throw new UnsupportedFormatError('doc', 'legacy Word files are not read; save as .docx');
  if (has('PowerPoint Document')) throw new UnsupportedFormatError('ppt');
  // A compound file is whole sectors and its directory (which names the streams) sits near the end:
  // a cut file names none of them. Odd lengths are tolerated above, where a stream was found.
  const sectorSize = 2 ** (bytes[30] | (bytes[31] << 8));
  if (bytes.length < 512 || (sectorSize >= 512 && sectorSize <= 4096 && bytes.length % sectorSize !== 0)) {
    throw new CorruptDocumentError('unknown', 'the OLE container (xls, doc or a password-protected Office file) is truncated; upload a complete copy');
  }
  throw new UnsupportedFormatError('ole', 'an OLE compound file of unknown kind, or a damaged one');
}

function sniffText(text: string, filename: string): DocumentFormat {
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  const start = text.slice(0, 2048).trimStart().toLowerCase();
  if (/^<!doctype html|^<html[\s>]|^<\?xml[^>]*>\s*<html/.test(start)) return 'html';
  if (/<(body|head|p|div|table|h[1-6])[\s>]/.test(start) && /<\/(p|div|table|h[1-6]|body|td)>/.test(start)) return 'html';
  const lines = text.slice(0, 20000).split(/\r?\n/).filter((l) => l.trim() !== '');
  // Markdown pipe tables never qualify: '|' is not among the csv delimiters tried.
  if (isDelimited(text.slice(0, 20000))) return 'csv';
  const mdSignals = markdownSignals(lines);
  if (mdSignals >= 2 || (mdSignals >= 1 && (ext === 'md' || ext === 'markdown'))) return 'markdown';
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  return 'txt';
}

/** Comma, tab or semicolon separated: most records (quotes honoured) have the header's field count. */
function isDelimited(sample: string): boolean {
  for (const delim of [',', '\t', ';']) {
    const records = parseCsvRecords(sample, delim).slice(0, 50);
    if (sample.length >= 20000) records.pop();
    if (records.length < 2 || records[0].length < 2) continue;
    const consistent = records.filter((r) => r.length === records[0].length).length;
    // Prose with a comma per line is not a table: its fields are sentences.
    const fields = records.flat();
    const sentences = fields.filter((f) => f.trim().split(/\s+/).length >= 6).length;
    if (consistent / records.length >= 0.8 && sentences < fields.length * 0.5) return true;
  }
  return false;
}

function markdownSignals(lines: string[]): number {
  let n = 0;
  const tests = [
    /^#{1,6}\s+\S/,
    /^```/,
    /^\s*[-*+]\s+\S/,
    /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$/,
    /\[[^\]]+\]\([^)]+\)/,
    /^>\s/,
    /\*\*[^*]+\*\*/,
  ];
  for (const re of tests) if (lines.some((l) => re.test(l))) n++;
  return n;
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

function indexOfAscii(bytes: Uint8Array, needle: string): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle, 0, 'latin1');
}

function indexOfUtf16(bytes: Uint8Array, needle: string): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(Buffer.from(needle, 'utf16le'));
}
