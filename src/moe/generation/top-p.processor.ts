import { GenerationError } from '../moe.errors';
import type { LogitsProcessor } from './logits-processor';

/**
 * Nucleus sampling: keeps the most probable tokens until their probabilities add up to p (the token
 * that crosses p included, at least one kept), masks the rest to -Infinity.
 */
export class TopPProcessor implements LogitsProcessor {
  constructor(private readonly p: number) {
    if (!(p > 0 && p <= 1)) throw new GenerationError(`top-p must be in (0, 1], got ${p}`);
  }

  process(logits: Float32Array): Float32Array {
    if (this.p >= 1) return logits;
    const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
    const max = logits[order[0]];
    const weights = order.map((i) => Math.exp(logits[i] - max));
    const total = weights.reduce((a, b) => a + b, 0);
    let cumulative = 0;
    for (let rank = 0; rank < order.length; rank++) {
      if (cumulative >= this.p) logits[order[rank]] = -Infinity;
      cumulative += weights[rank] / total;
    }
    return logits;
  }
}
