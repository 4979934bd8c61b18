import { crc32, inflateRawSync } from 'node:zlib';
import { CorruptDocumentError } from './ingestion.errors';
import type { DocumentFormat } from './parsed-document';
import type { ZipEntry } from './zip-directory';
import { writeZipContainer } from './zip-writer';

const LOCAL = 0x04034b50;

export interface ZipCheck {
  /** The container to hand to the engines: the input, or a copy with damaged pictures emptied. */
  bytes: Uint8Array;
  warnings: string[];
}

/**
 * Unpacks every part of an xlsx/docx once with zlib, checking its size and CRC, before any engine
 * sees it. SheetJS's own inflater loops forever on some damaged deflate streams (64 overwritten
 * bytes in a sheet were enough), and a zip whose directory understates its sizes would otherwise
 * inflate unchecked: zlib stops at the declared size, so memory stays bounded by the limit
 * `checkZipLimits` already applied to the declared sizes. A damaged XML part (text, structure) is
 * a CorruptDocumentError naming it; a damaged picture or other binary part is emptied instead, so
 * the text is still read, with a warning.
 */
export function checkZipParts(bytes: Uint8Array, entries: ZipEntry[], format: DocumentFormat): ZipCheck {
  const emptied = new Set<string>();
  const warnings: string[] = [];
  for (const entry of entries) {
    const why = partDamage(bytes, entry);
    if (!why) continue;
    if (/\.(xml|rels)$/i.test(entry.name) || entry.name.endsWith('/')) {
      throw new CorruptDocumentError(format, `part "${entry.name}" is damaged (${why}); open and re-save the file in its application, or upload an undamaged copy`);
    }
    emptied.add(entry.name);
    warnings.push(`part "${entry.name}" is damaged (${why}) and was left out`);
  }
  return { bytes: emptied.size ? rebuildZip(bytes, entries, emptied) : bytes, warnings };
}

/** What is wrong with one part, or undefined when it unpacks to its declared size and CRC. */
function partDamage(bytes: Uint8Array, entry: ZipEntry): string | undefined {
  if (entry.name.endsWith('/') && entry.uncompressedBytes === 0) return undefined;
  const data = partData(bytes, entry);
  if (typeof data === 'string') return data;
  let plain: Uint8Array;
  if (entry.method === 0) plain = data;
  else if (entry.method === 8) {
    try {
      // One byte over the declared size is enough to tell a lying directory from an honest one.
      plain = inflateRawSync(data, { maxOutputLength: entry.uncompressedBytes + 1 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return `it unpacks to more than the ${entry.uncompressedBytes} bytes its directory declares`;
      return (error as Error).message;
    }
  } else return `compression method ${entry.method} is not deflate`;
  if (plain.length > entry.uncompressedBytes) return `it unpacks to more than the ${entry.uncompressedBytes} bytes its directory declares`;
  if (plain.length < entry.uncompressedBytes) return `it unpacks to ${plain.length} bytes, not the ${entry.uncompressedBytes} its directory declares`;
  if (crc32(plain) >>> 0 !== entry.crc32 >>> 0) return 'checksum mismatch';
  return undefined;
}

/** The compressed bytes of a part, or why they cannot be found. */
function partData(bytes: Uint8Array, entry: ZipEntry): Uint8Array | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) return 'its local header is missing';
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + entry.compressedBytes > bytes.length) return 'the file ends inside it';
  return bytes.subarray(start, start + entry.compressedBytes);
}

/** The same zip with the named parts stored empty; the others are copied as they were packed. */
function rebuildZip(bytes: Uint8Array, entries: ZipEntry[], emptied: Set<string>): Uint8Array {
  return writeZipContainer(
    entries.map((entry) =>
      emptied.has(entry.name)
        ? { name: entry.name, method: 0, crc32: 0, uncompressedBytes: 0, data: new Uint8Array(0) }
        : { name: entry.name, method: entry.method, crc32: entry.crc32, uncompressedBytes: entry.uncompressedBytes, data: partData(bytes, entry) as Uint8Array },
    ),
  );
}
