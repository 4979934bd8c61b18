import type { MoeBlockConfig } from '../model/moe-config';
import { softmax } from './tensor-math';

export interface RouteDecision {
  /** Chosen experts, best first. */
  readonly experts: number[];
  /** The weight each chosen expert's output is scaled by. */
  readonly weights: number[];
}

/** Indices of the k largest values, largest first; ties go to the lower index, as torch.topk does on CPU. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b] - values[a] || a - b)
    .slice(0, k);
}

/**
 * One token's routing from its router logits, for every MoeConfig variant:
 * softmax over all experts then top-k (optionally renormalised), or top-k logits then softmax over
 * them; then DeepSeek's routed scaling factor. No jitter: that is a training-time noise.
 */
export function routeToken(logits: ArrayLike<number>, moe: MoeBlockConfig): RouteDecision {
  let experts: number[];
  let weights: number[];
  if (moe.scoring === 'topk-then-softmax') {
    experts = topK(logits, moe.topK);
    weights = softmax(experts.map((e) => logits[e]));
  } else {
    const probs = softmax(logits);
    experts = topK(probs, moe.topK);
    weights = experts.map((e) => probs[e]);
    if (moe.normTopKProb) {
      const total = weights.reduce((a, b) => a + b, 0);
      weights = weights.map((w) => w / total);
    }
  }
  return { experts, weights: weights.map((w) => w * moe.routedScalingFactor) };
}
