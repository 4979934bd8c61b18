import type { CausalLm } from '../model/causal-lm';
import { MoeError } from '../moe.errors';

export interface PerplexityResult {
  perplexity: number;
  /** Predicted tokens (every token of a window but its first). */
  tokens: number;
  mean_nll: number;
  window: number;
}

/**
 * Perplexity of token ids over non-overlapping windows of `window` tokens, each a fresh sequence:
 * exp of the mean negative log-likelihood of every next token, from the full logits of one run per window.
 */
export async function perplexityOfIds(lm: CausalLm, ids: readonly number[], window: number): Promise<PerplexityResult> {
  if (ids.length < 2) throw new MoeError(`perplexity needs at least two tokens, got ${ids.length}`);
  if (window < 2) throw new MoeError(`a perplexity window holds at least two tokens, got ${window}`);
  const vocab = lm.config.vocabSize;
  let nll = 0;
  let counted = 0;
  for (let start = 0; start + 1 < ids.length; start += window) {
    const chunk = ids.slice(start, Math.min(start + window, ids.length));
    if (chunk.length < 2) break;
    lm.reset();
    const logits = await lm.forward(chunk, { allLogits: true });
    for (let t = 0; t + 1 < chunk.length; t++) {
      nll -= logSoftmaxAt(logits.subarray(t * vocab, (t + 1) * vocab), chunk[t + 1]);
      counted++;
    }
  }
  lm.reset();
  return { perplexity: Math.exp(nll / counted), tokens: counted, mean_nll: nll / counted, window };
}

function logSoftmaxAt(row: Float32Array, target: number): number {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return row[target] - max - Math.log(sum);
}
