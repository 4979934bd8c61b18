import { createHash } from 'node:crypto';
import type { DatasetRecord } from './dataset-record';
import { contentHash } from './dedupe';

export interface SplitOptions {
  /** Share of records that go to validation, 0 < ratio < 1. */
  validationRatio: number;
  seed: number;
}

/**
 * Assigns each record to train or validation. Records are ranked by sha256(seed, content) and the
 * first round(n · ratio) go to validation (at least one when there are two or more records), so the
 * split depends on the seed and the content only, not on the order of the records.
 */
export function splitRecords<T extends DatasetRecord>(records: T[], options: SplitOptions): Array<T & { split: 'train' | 'validation' }> {
  const n = records.length;
  let take = Math.round(n * options.validationRatio);
  if (n >= 2) take = Math.min(n - 1, Math.max(1, take));
  const ranked = records
    .map((r, i) => ({ i, key: createHash('sha256').update(`${options.seed}:${contentHash(r)}`).digest('hex') }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  const validation = new Set(ranked.slice(0, take).map((r) => r.i));
  return records.map((r, i) => ({ ...r, split: validation.has(i) ? 'validation' : 'train' }));
}
