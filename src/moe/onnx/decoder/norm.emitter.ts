import { attr, type OnnxGraph } from '../onnx-graph';

/**
 * RMSNorm in standard ONNX, in the shape ONNX Runtime's optimiser fuses into one
 * SimplifiedLayerNormalization kernel:
 *
 *   x ─Pow(2)─ReduceMean(-1)─Add(eps)─Sqrt─┐
 *   x ─────────────────────────────────────Div─Mul(weight)
 */
export function rmsNorm(g: OnnxGraph, x: string, weight: Float32Array, eps: number, contrib: boolean): string {
  const w = g.floatWeight(`${g.currentScope}/weight`, [weight.length], weight);
  if (contrib) {
    return g.op('SimplifiedLayerNormalization', [x, w], {
      attrs: { axis: attr.int(-1), epsilon: attr.float(eps), stash_type: attr.int(1) },
    });
  }
  const sq = g.op('Pow', [x, g.float32([2])]);
  const mean = g.op('ReduceMean', [sq, g.int64([-1])], { attrs: { keepdims: attr.int(1) } });
  const std = g.op('Sqrt', [g.op('Add', [mean, g.float32([eps])])]);
  return g.op('Mul', [g.op('Div', [x, std]), w]);
}

/**
 * Residual add fused with the next RMSNorm (com.microsoft.SkipSimplifiedLayerNormalization):
 * returns the normalised sum and the sum itself, which is the new residual stream.
 *
 *   delta ─┐
 *   skip  ─SkipSimplifiedLayerNormalization(weight)─► normed, (delta + skip)
 */
export function skipRmsNorm(
  g: OnnxGraph,
  delta: string,
  skip: string,
  weight: Float32Array,
  eps: number,
): { normed: string; sum: string } {
  const w = g.floatWeight(`${g.currentScope}/weight`, [weight.length], weight);
  const [normed, , , sum] = g.node('SkipSimplifiedLayerNormalization', [delta, skip, w], {
    domain: 'com.microsoft',
    outputs: 4,
    omitOutputs: [1, 2],
    attrs: { epsilon: attr.float(eps) },
  });
  return { normed, sum };
}
