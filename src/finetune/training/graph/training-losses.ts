import { attr } from '../../../moe/onnx/onnx-graph';
import { OnnxDataType } from '../../../moe/onnx/onnx-proto';
import type { TapeGraph } from '../autodiff/tape-graph';

/** Value of a label that the loss ignores (prompt tokens, padding), as in Hugging Face and PyTorch. */
export const IGNORE_INDEX = -100;

/** transformers' router_aux_loss_coef default (Mixtral, Qwen2-MoE): the weight of the load-balancing term. */
export const DEFAULT_ROUTER_AUX_LOSS_COEF = 0.01;

/** Mean of -log p(label) over positions whose label is not IGNORE_INDEX (0 when there are none). */
export function maskedCrossEntropy(g: TapeGraph, logits: string, labels: string): string {
  const valid = g.op('Not', [g.op('Equal', [labels, g.int64([IGNORE_INDEX], [])])]);
  const safe = g.op('Where', [valid, labels, g.int64([0], [])]);
  const logp = g.op('LogSoftmax', [logits], { attrs: { axis: attr.int(-1) } });
  const picked = g.op('GatherElements', [logp, g.op('Unsqueeze', [safe, g.int64([-1])])], { attrs: { axis: attr.int(-1) } });
  const weight = g.op('Cast', [g.op('Unsqueeze', [valid, g.int64([-1])])], { attrs: { to: attr.int(OnnxDataType.FLOAT) } });
  const count = g.op('Max', [g.op('ReduceSum', [weight], { attrs: { keepdims: attr.int(0) } }), g.float32([1])]);
  const total = g.op('ReduceSum', [g.op('Mul', [picked, weight])], { attrs: { keepdims: attr.int(0) } });
  return g.op('Neg', [g.op('Div', [total, count])]);
}

/** What one MoE layer contributes to the load-balancing loss, over flattened tokens [N, E]. */
export interface RouterStats {
  /** Router softmax over all experts (whatever the scoring), differentiable. */
  probs: string;
  /** 1 where the token was routed to the expert, 0 elsewhere (k ones a row); no gradient. */
  selected: string;
}

/**
 * The Switch / Mixtral load-balancing loss as transformers' load_balancing_loss_func computes it over
 * the router logits of all layers together: E · Σ_e f_e · P_e, where f_e is the fraction of (token,
 * layer) routings that chose e (summed over the k choices, so Σ f = k) and P_e the mean router
 * probability of e. Tokens whose weight is 0 (padding) are left out, as transformers does with the
 * attention mask. Returns 0 for a model without MoE layers.
 */
export function loadBalancingLoss(g: TapeGraph, layers: readonly RouterStats[], tokenWeight: string, numExperts: number): string {
  if (layers.length === 0) return g.float32([0]);
  const sum = (values: string[]) => (values.length === 1 ? values[0] : g.op('Sum', values));
  const reduce0 = (v: string) => g.op('ReduceSum', [g.op('Mul', [v, tokenWeight]), g.int64([0])], { attrs: { keepdims: attr.int(0) } });
  const tokens = g.op('Mul', [g.op('Max', [g.op('ReduceSum', [tokenWeight], { attrs: { keepdims: attr.int(0) } }), g.float32([1])]), g.float32([layers.length])]);
  const f = g.op('Div', [reduce0(sum(layers.map((l) => l.selected))), tokens]);
  const p = g.op('Div', [reduce0(sum(layers.map((l) => l.probs))), tokens]);
  return g.op('Mul', [g.op('ReduceSum', [g.op('Mul', [f, p])], { attrs: { keepdims: attr.int(0) } }), g.float32([numExperts])]);
}
