import { createHash } from 'node:crypto';
import type { DatasetRecord } from './dataset-record';

export interface DedupeOptions {
  /** Jaccard similarity of character 3-gram sets at or above which two records are near-duplicates. */
  threshold?: number;
  /** false: only exact duplicates are removed. */
  near?: boolean;
}

export interface DedupeResult<T> {
  kept: T[];
  exactDuplicates: number;
  nearDuplicates: number;
  /** For each dropped record: its index in the input and the index of the kept one it repeats. */
  dropped: Array<{ index: number; of: number; kind: 'exact' | 'near'; similarity?: number }>;
}

const NUM_HASHES = 128;
const BANDS = 16;
const ROWS = NUM_HASHES / BANDS;
const SHINGLE = 3;

/** Case, width (NFKC), whitespace and punctuation do not make two records different. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
}

/** The identity of a record's content: what the exact-duplicate check and the split seed read. */
export function contentHash(r: DatasetRecord): string {
  const parts = [r.system ?? '', ...(r.history ?? []).flat(), r.instruction, r.input ?? '', r.output].map(normaliseText);
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Keeps the first of each group of duplicates, in input order. Exact: equal normalised text. Near:
 * MinHash (128 hashes, 16 bands of 8: a pair at 0.85 shares a band with probability 0.994, a pair at
 * 0.5 with 0.06) finds candidate pairs, the sketches' agreement screens them, and the real Jaccard
 * of the 3-gram sets decides, so the outcome is deterministic and never a false positive of the sketch.
 */
export function dedupe<T extends DatasetRecord>(records: T[], options: DedupeOptions = {}): DedupeResult<T> {
  const threshold = options.threshold ?? 0.85;
  const result: DedupeResult<T> = { kept: [], exactDuplicates: 0, nearDuplicates: 0, dropped: [] };
  const seen = new Map<string, number>();
  const buckets = new Map<string, number[]>();
  const shingleSets: Array<Set<string> | undefined> = [];
  const sketches: Array<number[] | undefined> = [];
  records.forEach((record, index) => {
    const key = contentHash(record);
    const first = seen.get(key);
    if (first !== undefined) {
      result.exactDuplicates++;
      result.dropped.push({ index, of: first, kind: 'exact' });
      return;
    }
    if (options.near !== false) {
      const shingles = shingleSet(`${record.instruction} ${record.input ?? ''} ${record.output}`);
      const sketch = minhash(shingles);
      const bandKeys = Array.from({ length: BANDS }, (_, b) => `${b}:${sketch.slice(b * ROWS, (b + 1) * ROWS).join(',')}`);
      const candidates = new Set(bandKeys.flatMap((k) => buckets.get(k) ?? []));
      let match: { of: number; similarity: number } | undefined;
      for (const c of [...candidates].sort((a, b) => a - b)) {
        // The sketch estimate has a standard error near 0.03 at 128 hashes; 0.15 below is a safe screen.
        if (estimate(sketch, sketches[c]!) < threshold - 0.15) continue;
        const similarity = jaccard(shingles, shingleSets[c]!);
        if (similarity >= threshold) {
          match = { of: c, similarity };
          break;
        }
      }
      if (match) {
        result.nearDuplicates++;
        result.dropped.push({ index, of: match.of, kind: 'near', similarity: Math.round(match.similarity * 1000) / 1000 });
        return;
      }
      shingleSets[index] = shingles;
      sketches[index] = sketch;
      for (const k of bandKeys) {
        const bucket = buckets.get(k);
        if (bucket) bucket.push(index);
        else buckets.set(k, [index]);
      }
    }
    seen.set(key, index);
    result.kept.push(record);
  });
  return result;
}

/** Character 3-grams of the normalised text without spaces (Chinese has none to split on). */
export function shingleSet(text: string): Set<string> {
  const chars = [...normaliseText(text).replace(/ /g, '')];
  const set = new Set<string>();
  if (chars.length < SHINGLE) set.add(chars.join(''));
  for (let i = 0; i + SHINGLE <= chars.length; i++) set.add(chars.slice(i, i + SHINGLE).join(''));
  return set;
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 1 : inter / union;
}

function estimate(a: number[], b: number[]): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** 128 hash functions as h1 + i·h2 (Kirsch–Mitzenmacher) over two FNV-1a variants. */
function minhash(shingles: Set<string>): number[] {
  const mins = new Uint32Array(NUM_HASHES).fill(0xffffffff);
  for (const s of shingles) {
    const h1 = fnv1a(s, 0x811c9dc5);
    const h2 = fnv1a(s, 0x01000193) | 1;
    let h = h1;
    for (let i = 0; i < NUM_HASHES; i++) {
      if (h < mins[i]) mins[i] = h;
      h = (h + h2) >>> 0;
    }
  }
  return Array.from(mins);
}

function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
