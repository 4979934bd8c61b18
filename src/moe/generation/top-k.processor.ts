import { GenerationError } from '../moe.errors';
import type { LogitsProcessor } from './logits-processor';

/** Keeps the k highest logits (and any tied with the k-th) and masks the rest to -Infinity. */
export class TopKProcessor implements LogitsProcessor {
  constructor(private readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new GenerationError(`top-k must be a positive integer, got ${k}`);
  }

  process(logits: Float32Array): Float32Array {
    if (this.k >= logits.length) return logits;
    const threshold = Float32Array.from(logits).sort((a, b) => b - a)[this.k - 1];
    for (let i = 0; i < logits.length; i++) if (logits[i] < threshold) logits[i] = -Infinity;
    return logits;
  }
}
