import { GenerationError } from '../moe.errors';
import type { LogitsProcessor } from './logits-processor';

/**
 * CTRL's repetition penalty as transformers applies it: every token already in the sequence has a
 * positive logit divided by the penalty and a negative one multiplied by it.
 */
export class RepetitionPenaltyProcessor implements LogitsProcessor {
  constructor(private readonly penalty: number) {
    if (!(penalty > 0) || !Number.isFinite(penalty)) throw new GenerationError(`repetition penalty must be a positive number, got ${penalty}`);
  }

  process(logits: Float32Array, ids: readonly number[]): Float32Array {
    for (const id of new Set(ids)) {
      if (id < 0 || id >= logits.length) continue;
      logits[id] = logits[id] < 0 ? logits[id] * this.penalty : logits[id] / this.penalty;
    }
    return logits;
  }
}
