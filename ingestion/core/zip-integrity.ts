import { crc32, inflateRawSync } from 'node:zlib';
import { CorruptDocumentError } from './ingestion.errors';
import type { DocumentFormat } from './parsed-document';
import type { ZipEntry } from './zip-directory';

const LOCAL = 0x04034b50;

/**
 * Unpacks every part of an xlsx/docx once with zlib, checking its size and CRC, before any engine
 * sees it. SheetJS's own inflater loops forever on some damaged deflate streams (64 overwritten
 * bytes in a sheet were enough), and a zip whose directory understates its sizes would otherwise
 * inflate unchecked: zlib stops at the declared size, so memory stays bounded by the limit
 * `checkZipLimits` already applied to the declared sizes.
 */
export function verifyZipEntries(bytes: Uint8Array, entries: ZipEntry[], format: DocumentFormat): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damaged = (name: string, why: string) =>
    new CorruptDocumentError(format, `part "${name}" is damaged (${why}); open and re-save the file in its application, or upload an undamaged copy`);
  for (const entry of entries) {
    if (entry.name.endsWith('/') && entry.uncompressedBytes === 0) continue;
    const at = entry.localHeaderOffset;
    if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw damaged(entry.name, 'its local header is missing');
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const end = start + entry.compressedBytes;
    if (end > bytes.length) throw damaged(entry.name, 'the file ends inside it');
    const packed = bytes.subarray(start, end);
    let data: Uint8Array;
    if (entry.method === 0) data = packed;
    else if (entry.method === 8) {
      try {
        // One byte over the declared size is enough to tell a lying directory from an honest one.
        data = inflateRawSync(packed, { maxOutputLength: entry.uncompressedBytes + 1 });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') throw damaged(entry.name, `it unpacks to more than the ${entry.uncompressedBytes} bytes its directory declares`);
        throw damaged(entry.name, (error as Error).message);
      }
    } else throw damaged(entry.name, `compression method ${entry.method} is not deflate`);
    if (data.length !== entry.uncompressedBytes) {
      const more = data.length > entry.uncompressedBytes;
      throw damaged(entry.name, more ? `it unpacks to more than the ${entry.uncompressedBytes} bytes its directory declares` : `it unpacks to ${data.length} bytes, not the ${entry.uncompressedBytes} its directory declares`);
    }
    if (crc32(data) >>> 0 !== entry.crc32 >>> 0) throw damaged(entry.name, 'checksum mismatch');
  }
}
