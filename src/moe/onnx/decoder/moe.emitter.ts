import type { MoeBlockConfig } from '../../model/moe-config';
import { float32ToFloat16 } from '../float16';
import { attr, type OnnxGraph } from '../onnx-graph';
import { OnnxDataType } from '../onnx-proto';
import type { LinearEmitter, PlannedWeight } from './linear.emitter';

export interface FfnWeights {
  gate: PlannedWeight;
  up: PlannedWeight;
  down: PlannedWeight;
}

/**
 * SwiGLU feed-forward: down(silu(gate(x)) · up(x)). Gate and up stored alike are one matrix
 * [gate; up], so one kernel reads both (one launch instead of two, and a longer row loop):
 *
 *   x ─gate_up/MatMul─Split─┬ gate ─Sigmoid─Mul─┐
 *                           └ up ──────────────Mul─down/MatMul
 */
export function swiGlu(g: OnnxGraph, linear: LinearEmitter, x: string, w: FfnWeights): string {
  let gate: string;
  let up: string;
  if (linear.samePrecision(w.gate, w.up)) {
    const [rows, cols] = w.gate.tensor.shape;
    const both = new Float32Array(2 * rows * cols);
    both.set(w.gate.tensor.data);
    both.set(w.up.tensor.data, rows * cols);
    const fused = g.scope('gate_up', () => linear.matmul(x, { ...w.gate, tensor: { shape: [2 * rows, cols], data: both } }));
    [gate, up] = g.node('Split', [fused, g.int64([rows, rows])], { outputs: 2, attrs: { axis: attr.int(-1) } });
  } else {
    gate = g.scope('gate', () => linear.matmul(x, w.gate));
    up = g.scope('up', () => linear.matmul(x, w.up));
  }
  const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
  return g.scope('down', () => linear.matmul(act, w.down));
}

/**
 * Router: top-k experts per token and their weights, in the order the config scores them.
 *
 *   softmax-then-topk:  logits ─Softmax─TopK─► values (÷ their sum when renormalised), indices
 *   topk-then-softmax:  logits ─TopK─► values ─Softmax─► weights, indices
 */
export function route(g: OnnxGraph, logits: string, moe: MoeBlockConfig): { weights: string; experts: string } {
  const k = g.int64([moe.topK]);
  const topAttrs = { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) };
  let weights: string;
  let experts: string;
  if (moe.scoring === 'topk-then-softmax') {
    const [values, indices] = g.node('TopK', [logits, k], { outputs: 2, attrs: topAttrs });
    weights = g.op('Softmax', [values], { attrs: { axis: attr.int(-1) } });
    experts = indices;
  } else {
    const probs = g.op('Softmax', [logits], { attrs: { axis: attr.int(-1) } });
    [weights, experts] = g.node('TopK', [probs, k], { outputs: 2, attrs: topAttrs });
    if (moe.normTopKProb) {
      const sum = g.op('ReduceSum', [weights, g.int64([-1])], { attrs: { keepdims: attr.int(1) } });
      weights = g.op('Div', [weights, sum]);
    }
  }
  if (moe.routedScalingFactor !== 1) weights = g.op('Mul', [weights, g.float32([moe.routedScalingFactor])]);
  return { weights, experts };
}

/**
 * Sparse experts in standard ONNX: the (token, expert) pairs are sorted by expert, the routed rows
 * gathered once and split into one contiguous block per expert, each expert runs on its block only
 * (an expert nobody picked gets a [0, hidden] block), and the weighted results are scattered back.
 *
 *   experts [N,k] ─Reshape─TopK(all, ascending)─► sorted experts, pair order
 *   x ─Gather(order / k)─Split(count per expert)─► block₀ … block_E ─SwiGLU each─Concat─Mul(weights)
 *   zeros[N,H] ─ScatterND(add at order / k)─► out
 *
 * Per layer that is a dozen routing ops plus one FFN per expert, instead of a routing chain per expert.
 */
export function sparseExperts(
  g: OnnxGraph,
  linear: LinearEmitter,
  x: string,
  routing: { weights: string; experts: string },
  numExperts: number,
  topK: number,
  expert: (e: number) => FfnWeights,
): string {
  const pairs = g.op('Reshape', [routing.experts, g.int64([-1])]);
  const [sortedExperts, order] = g.node('TopK', [pairs, g.op('Shape', [pairs])], {
    outputs: 2,
    attrs: { axis: attr.int(0), largest: attr.int(0), sorted: attr.int(1) },
  });
  const tokens = g.op('Div', [order, g.int64([topK], [])]);
  const weights = g.op('Unsqueeze', [g.op('Gather', [g.op('Reshape', [routing.weights, g.int64([-1])]), order]), g.int64([1])]);
  const routed = g.op('Gather', [x, tokens], { attrs: { axis: attr.int(0) } });
  const allExperts = g.int64([...Array(numExperts).keys()], [1, numExperts]);
  const onehot = g.op('Cast', [g.op('Equal', [g.op('Unsqueeze', [sortedExperts, g.int64([1])]), allExperts])], {
    attrs: { to: attr.int(OnnxDataType.INT64) },
  });
  const counts = g.op('ReduceSum', [onehot, g.int64([0])], { attrs: { keepdims: attr.int(0) } });
  const blocks = g.node('Split', [routed, counts], { outputs: numExperts, attrs: { axis: attr.int(0) } });
  const outputs = blocks.map((block, e) => g.scope(`experts.${e}`, () => swiGlu(g, linear, block, expert(e))));
  const y = g.op('Mul', [g.op('Concat', outputs, { attrs: { axis: attr.int(0) } }), weights]);
  const zeros = g.op('ConstantOfShape', [g.op('Shape', [x])]);
  return g.op('ScatterND', [zeros, g.op('Unsqueeze', [tokens, g.int64([1])]), y], { attrs: { reduction: attr.str('add') } });
}

/**
 * All routed experts in one com.microsoft.MoE node (CPU kernel: softmax, top-k and per-expert GEMMs
 * on the routed rows only). fc1 interleaves gate and up rows (swiglu_fusion=1), fc2 is down.
 * Float16 storage is cast to float32 (folded at load) because the kernel's T is the activation type.
 */
export function fusedMoe(
  g: OnnxGraph,
  x: string,
  routerLogits: string,
  moe: MoeBlockConfig,
  hidden: number,
  expert: (e: number) => FfnWeights,
  float16Storage: boolean,
): string {
  const E = moe.numExperts;
  const I = moe.intermediateSize;
  const fc1 = new Float32Array(E * 2 * I * hidden);
  const fc2 = new Float32Array(E * hidden * I);
  for (let e = 0; e < E; e++) {
    const w = expert(e);
    const base = e * 2 * I * hidden;
    for (let i = 0; i < I; i++) {
      fc1.set(w.gate.tensor.data.subarray(i * hidden, (i + 1) * hidden), base + 2 * i * hidden);
      fc1.set(w.up.tensor.data.subarray(i * hidden, (i + 1) * hidden), base + (2 * i + 1) * hidden);
    }
    fc2.set(w.down.tensor.data, e * hidden * I);
  }
  const store = (name: string, dims: number[], data: Float32Array) =>
    float16Storage
      ? g.op('Cast', [g.initializer(name, OnnxDataType.FLOAT16, dims, float32ToFloat16(data))], {
          attrs: { to: attr.int(OnnxDataType.FLOAT) },
        })
      : g.floatWeight(name, dims, data);
  const fc1Name = store(`${g.currentScope}/experts/fc1`, [E, 2 * I, hidden], fc1);
  const fc2Name = store(`${g.currentScope}/experts/fc2`, [E, hidden, I], fc2);
  const normalize = moe.normTopKProb || moe.scoring === 'topk-then-softmax';
  let out = g.op('MoE', [x, routerLogits, fc1Name, '', fc2Name], {
    domain: 'com.microsoft',
    attrs: {
      k: attr.int(moe.topK),
      activation_type: attr.str('swiglu'),
      swiglu_fusion: attr.int(1),
      normalize_routing_weights: attr.int(normalize ? 1 : 0),
      activation_alpha: attr.float(1),
      activation_beta: attr.float(0),
      swiglu_limit: attr.float(3.4e38),
    },
  });
  if (moe.routedScalingFactor !== 1) out = g.op('Mul', [out, g.float32([moe.routedScalingFactor])]);
  return out;
}
