import type { CausalLm } from '../model/causal-lm';
import type { MoeConfig } from '../model/moe-config';
import { MoeError } from '../moe.errors';
import { perplexityOfIds } from './perplexity';

/**
 * A model whose next-token distribution is known in closed form: uniform, or one that puts
 * probability p on "the previous token + 1" and spreads the rest evenly.
 */
function fakeLm(vocab: number, sharp: number | null): CausalLm & { resets: number } {
  const lm = {
    config: { vocabSize: vocab } as MoeConfig,
    cachedLength: 0,
    resets: 0,
    async forward(ids: readonly number[]) {
      const out = new Float32Array(ids.length * vocab);
      if (sharp !== null) ids.forEach((id, t) => (out[t * vocab + ((id + 1) % vocab)] = sharp));
      return out;
    },
    reset() {
      lm.resets++;
    },
    async dispose() {},
  };
  return lm;
}

describe('perplexityOfIds', () => {
  it('is the vocabulary size for a uniform model, over every predicted token of every window', async () => {
    const lm = fakeLm(7, null);
    const r = await perplexityOfIds(lm, [1, 2, 3, 4, 5, 6, 0, 1, 2, 3], 4);
    expect(r.perplexity).toBeCloseTo(7, 5);
    // Windows [0..3], [4..7], [8..9]: 3 + 3 + 1 predictions, each window a fresh sequence.
    expect(r.tokens).toBe(7);
    expect(lm.resets).toBeGreaterThanOrEqual(4);
  });

  it('matches the closed form for a model that favours the right next token', async () => {
    const vocab = 5;
    const logit = 3;
    const p = Math.exp(logit) / (Math.exp(logit) + vocab - 1);
    const r = await perplexityOfIds(fakeLm(vocab, logit), [0, 1, 2, 3, 4, 0, 1], 512);
    expect(r.perplexity).toBeCloseTo(1 / p, 5);
    expect(r.mean_nll).toBeCloseTo(-Math.log(p), 6);
  });

  it('refuses fewer than two tokens or a window under two', async () => {
    await expect(perplexityOfIds(fakeLm(5, null), [1], 8)).rejects.toThrow(MoeError);
    await expect(perplexityOfIds(fakeLm(5, null), [1, 2, 3], 1)).rejects.toThrow(/at least two tokens/);
  });
});
