import { CorruptDocumentError, LimitExceededError } from './ingestion.errors';

export interface ZipEntry {
  name: string;
  compressedBytes: number;
  uncompressedBytes: number;
  /** 0 stored, 8 deflated; anything else no engine here reads. */
  method: number;
  crc32: number;
  /** Where the entry's local header starts. */
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;

/**
 * Reads a zip's central directory without inflating anything: enough to tell an xlsx from a docx
 * and to refuse a zip bomb by its declared sizes before any engine starts decompressing.
 */
export function readZipDirectory(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEocd(view);
  if (eocd < 0) throw new CorruptDocumentError('unknown', 'the zip container (xlsx/docx) has no end-of-central-directory record: the file is truncated or damaged; upload a complete copy');
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const z64 = Number(view.getBigUint64(eocd - 12, true));
    if (z64 + 56 > view.byteLength) throw new CorruptDocumentError('unknown', 'zip64 directory out of range');
    count = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder('utf-8');
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > view.byteLength || view.getUint32(p, true) !== CENTRAL) {
      throw new CorruptDocumentError('unknown', `zip central directory entry ${i} is damaged`);
    }
    const method = view.getUint16(p + 10, true);
    const crc32 = view.getUint32(p + 16, true);
    let compressed = view.getUint32(p + 20, true);
    let uncompressed = view.getUint32(p + 24, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    if (uncompressed === 0xffffffff || compressed === 0xffffffff || localHeaderOffset === 0xffffffff) {
      const sizes = zip64Sizes(view, p + 46 + nameLen, extraLen, uncompressed === 0xffffffff, compressed === 0xffffffff, localHeaderOffset === 0xffffffff);
      uncompressed = sizes.uncompressed ?? uncompressed;
      compressed = sizes.compressed ?? compressed;
      localHeaderOffset = sizes.offset ?? localHeaderOffset;
    }
    entries.push({ name, compressedBytes: compressed, uncompressedBytes: uncompressed, method, crc32, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Throws LimitExceededError when the declared sizes or entry count exceed the limits. */
export function checkZipLimits(entries: ZipEntry[], maxUncompressed: number, maxEntries: number): void {
  if (entries.length > maxEntries) throw new LimitExceededError('zipEntries', entries.length, maxEntries);
  const total = entries.reduce((sum, e) => sum + e.uncompressedBytes, 0);
  if (total > maxUncompressed) throw new LimitExceededError('zipUncompressedBytes', total, maxUncompressed);
}

function findEocd(view: DataView): number {
  const stop = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let i = view.byteLength - 22; i >= stop; i--) {
    if (view.getUint32(i, true) === EOCD) return i;
  }
  return -1;
}

/** The zip64 extra field's values, in the order the spec lists them; a damaged field reads as absent. */
function zip64Sizes(view: DataView, start: number, length: number, wantUncompressed: boolean, wantCompressed: boolean, wantOffset: boolean) {
  let p = start;
  const end = Math.min(start + length, view.byteLength);
  while (p + 4 <= end) {
    const id = view.getUint16(p, true);
    const size = view.getUint16(p + 2, true);
    if (id === 0x0001) {
      let q = p + 4;
      const out: { uncompressed?: number; compressed?: number; offset?: number } = {};
      const next = () => {
        if (q + 8 > end) return undefined;
        const value = Number(view.getBigUint64(q, true));
        q += 8;
        return value;
      };
      if (wantUncompressed) out.uncompressed = next();
      if (wantCompressed) out.compressed = next();
      if (wantOffset) out.offset = next();
      return out;
    }
    p += 4 + size;
  }
  return {};
}
