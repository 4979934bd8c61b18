import { crc32 } from 'node:zlib';
import { writeZip } from './zip-writer';

/** One damaged copy of a real file, named by the damage done to it. */
export interface CorruptVariant {
  name: string;
  bytes: Uint8Array;
  filename: string;
}

/** A small deterministic PRNG (mulberry32): the same seed damages the same bytes on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface VariantOptions {
  /** Fractions of the file kept by the truncated variants. */
  truncations?: number[];
  /** How many 64-byte overwrites at seeded offsets. */
  overwrites?: number;
  seed?: number;
}

/**
 * Damaged variants of one file, all in memory: truncated, 64 random bytes overwritten at seeded
 * offsets, and zero bytes. Each must end in text or a typed IngestionError.
 */
export function corruptVariants(bytes: Uint8Array, filename: string, options: VariantOptions = {}): CorruptVariant[] {
  const truncations = options.truncations ?? [0.01, 0.3, 0.7, 0.99];
  const random = seededRandom(options.seed ?? 791);
  const out: CorruptVariant[] = [];
  for (const keep of truncations) {
    out.push({ name: `truncated ${Math.round(keep * 100)}%`, bytes: bytes.slice(0, Math.floor(bytes.length * keep)), filename });
  }
  for (let i = 0; i < (options.overwrites ?? 3); i++) {
    const copy = bytes.slice();
    const at = Math.floor(random() * Math.max(1, copy.length - 64));
    for (let j = at; j < Math.min(copy.length, at + 64); j++) copy[j] = Math.floor(random() * 256);
    out.push({ name: `64 random bytes at ${at}`, bytes: copy, filename });
  }
  out.push({ name: 'zero bytes', bytes: new Uint8Array(0), filename });
  return out;
}

/** A PNG whose header declares width x height pixels (and one byte of image data): a decompression-bomb shape. */
export function hugePngHeader(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]));
}

/**
 * An xlsx-shaped zip whose one sheet inflates to `megabytes` MB of whitespace while its directory
 * declares the truth: what the zip-bomb guard must refuse before any engine inflates it.
 */
export function inflatingXlsx(megabytes: number): Uint8Array {
  const sheet = Buffer.alloc(megabytes * 1024 * 1024, 0x20);
  return writeZip({ 'xl/workbook.xml': '<workbook/>', 'xl/worksheets/sheet1.xml': sheet });
}
