import { SeededRandom } from '../random/seeded-random';

/** Picks the next token from processed logits. */
export interface Sampler {
  sample(logits: Float32Array): number;
}

/** The highest logit; the lowest id wins a tie, so greedy output is reproducible. */
export class GreedySampler implements Sampler {
  sample(logits: Float32Array): number {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
}

/** Draws from softmax(logits) with a seeded generator: the same seed gives the same tokens. */
export class SeededSampler implements Sampler {
  private readonly random: SeededRandom;

  constructor(seed: number) {
    this.random = new SeededRandom(seed);
  }

  sample(logits: Float32Array): number {
    let max = -Infinity;
    for (const v of logits) if (v > max) max = v;
    const weights = new Float64Array(logits.length);
    let total = 0;
    for (let i = 0; i < logits.length; i++) total += weights[i] = Math.exp(logits[i] - max);
    let target = this.random.next() * total;
    let last = 0;
    for (let i = 0; i < logits.length; i++) {
      if (weights[i] === 0) continue;
      last = i;
      target -= weights[i];
      if (target < 0) return i;
    }
    return last;
  }
}
