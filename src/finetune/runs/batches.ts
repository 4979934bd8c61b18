import { mulberry32 } from '../../moe';
import { IGNORE_INDEX, packSequences, toTrainingBatches, type LabelledSequence, type TrainingBatch } from '../training';

/** A batch plus how many real (non-padding) tokens and labelled positions it holds. */
export interface CountedBatch extends TrainingBatch {
  tokens: number;
  labelled: number;
}

function counted(batch: TrainingBatch): CountedBatch {
  return {
    ...batch,
    tokens: (batch.segmentIds ?? []).filter((s) => s !== 0).length,
    labelled: batch.labels.filter((l) => l !== IGNORE_INDEX).length,
  };
}

/** Examples packed into rows of `seqLen` (the engine's packing: attention and positions stay per example), in batches. */
export function packedBatches(examples: readonly LabelledSequence[], batchSize: number, seqLen: number, padId: number): CountedBatch[] {
  return toTrainingBatches(packSequences(examples, seqLen, padId), batchSize, padId).map(counted);
}

/**
 * Micro-batch i of training. Each epoch shuffles the examples with a generator seeded by (seed,
 * epoch), then packs them; micro-batch i is therefore the same whenever it is asked for, and a resumed
 * run sees exactly the batches the interrupted one would have.
 */
export function trainingBatches(examples: readonly LabelledSequence[], batchSize: number, seqLen: number, padId: number, seed: number): (micro: number) => CountedBatch {
  const epochSizes: number[] = [];
  let cached: { epoch: number; batches: CountedBatch[] } | null = null;
  const epochBatches = (epoch: number): CountedBatch[] => {
    if (cached?.epoch === epoch) return cached.batches;
    const rand = mulberry32((seed * 1_000_003 + epoch) >>> 0);
    const order = examples.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const batches = packedBatches(order.map((i) => examples[i]), batchSize, seqLen, padId);
    epochSizes[epoch] = batches.length;
    cached = { epoch, batches };
    return batches;
  };
  return (micro) => {
    let epoch = 0;
    let first = 0;
    for (;;) {
      const size = epochSizes[epoch] ?? epochBatches(epoch).length;
      if (micro < first + size) return epochBatches(epoch)[micro - first];
      first += size;
      epoch++;
    }
  };
}
