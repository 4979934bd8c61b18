import { mulberry32 } from '../../moe';
import { IGNORE_INDEX, type TrainingBatch } from '../training';
import type { LabelledExample } from './sft-adapter';

/** A batch plus how many real (non-padding) tokens and labelled positions it holds. */
export interface CountedBatch extends TrainingBatch {
  tokens: number;
  labelled: number;
}

/** Rows of `seqLen`: each example left-aligned, padded with `padId` and IGNORE_INDEX labels. */
function toBatch(rows: readonly LabelledExample[], batchSize: number, seqLen: number, padId: number): CountedBatch {
  const inputIds = new Array<number>(batchSize * seqLen).fill(padId);
  const labels = new Array<number>(batchSize * seqLen).fill(IGNORE_INDEX);
  let tokens = 0;
  let labelled = 0;
  rows.forEach((ex, r) => {
    const n = Math.min(seqLen, ex.inputIds.length);
    for (let t = 0; t < n; t++) {
      inputIds[r * seqLen + t] = ex.inputIds[t];
      labels[r * seqLen + t] = ex.labels[t];
      if (ex.labels[t] !== IGNORE_INDEX) labelled++;
    }
    tokens += n;
  });
  return { inputIds, labels, tokens, labelled };
}

/**
 * Micro-batch i of training: examples are shuffled once per epoch with a generator seeded by (seed,
 * epoch), so micro-batch i is the same whenever it is asked for, and a resumed run sees exactly the
 * batches the interrupted one would have.
 */
export function trainingBatches(examples: readonly LabelledExample[], batchSize: number, seqLen: number, padId: number, seed: number): (micro: number) => CountedBatch {
  const perEpoch = Math.max(1, Math.ceil(examples.length / batchSize));
  const orders = new Map<number, number[]>();
  const orderOf = (epoch: number) => {
    let order = orders.get(epoch);
    if (!order) {
      const rand = mulberry32((seed * 1_000_003 + epoch) >>> 0);
      order = examples.map((_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      orders.clear();
      orders.set(epoch, order);
    }
    return order;
  };
  return (micro) => {
    const epoch = Math.floor(micro / perEpoch);
    const order = orderOf(epoch);
    const start = (micro % perEpoch) * batchSize;
    // The last batch of an epoch is filled from the epoch's head so every batch is full.
    const rows = Array.from({ length: batchSize }, (_, k) => examples[order[(start + k) % order.length]]);
    return toBatch(rows, batchSize, seqLen, padId);
  };
}

/** Validation in fixed batches; the last one is padded with empty rows (no labelled position). */
export function validationBatches(examples: readonly LabelledExample[], batchSize: number, seqLen: number, padId: number): CountedBatch[] {
  const out: CountedBatch[] = [];
  for (let i = 0; i < examples.length; i += batchSize) out.push(toBatch(examples.slice(i, i + batchSize), batchSize, seqLen, padId));
  return out;
}
