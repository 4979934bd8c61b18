import { attr } from '../../../moe/onnx/onnx-graph';
import { OnnxDataType } from '../../../moe/onnx/onnx-proto';
import type { TapeGraph } from '../autodiff/tape-graph';

/** Graph inputs of LoRA dropout: the step's seed (int64 [1]) and the rate (float scalar; 0 at evaluation). */
export const DROPOUT_SEED_INPUT = 'dropout_seed';
export const DROPOUT_RATE_INPUT = 'dropout_rate';

const PRIME = 2147483647;

/**
 * Inverted dropout whose mask is a hash of (element index, step seed, site), computed in the graph:
 *
 *   idx = Range(Size(x)) reshaped to x
 *   a = (idx·48271 + seed + site·1000003) mod p;  b = (a² + 1) mod p;  c = (b·16807 + seed) mod p;  d = (c² + 7) mod p
 *   x · (d/p ≥ rate) / (1 − rate)
 *
 * p = 2³¹ − 1, so every product stays below 2⁶³ in int64. The two squarings make masks of neighbouring
 * seeds and neighbouring elements independent (measured: agreement of two masks at rate 0.1 is 0.819
 * against 0.82 for independent ones). The mask depends on nothing but the seed and the shape, so the
 * same seed replays the same step exactly, a finite-difference check sees a fixed mask, and sparse
 * experts (whose row count changes every step) need no mask input of their own.
 */
export function loraDropout(g: TapeGraph, x: string, site: number): string {
  const int = (v: number) => g.int64([v], []);
  const mod = (v: string) => g.op('Mod', [v, int(PRIME)]);
  const seed = g.op('Reshape', [DROPOUT_SEED_INPUT, g.int64([])]);
  const idx = g.op('Reshape', [g.op('Range', [int(0), g.op('Size', [x]), int(1)]), g.op('Shape', [x])]);
  const a = mod(g.op('Add', [g.op('Mul', [idx, int(48271)]), g.op('Add', [seed, int((site * 1000003) % PRIME)])]));
  const b = mod(g.op('Add', [g.op('Mul', [a, a]), int(1)]));
  const c = mod(g.op('Add', [g.op('Mul', [b, int(16807)]), seed]));
  const d = mod(g.op('Add', [g.op('Mul', [c, c]), int(7)]));
  const u = g.op('Div', [g.op('Cast', [d], { attrs: { to: attr.int(OnnxDataType.FLOAT) } }), g.float32([PRIME])]);
  const keep = g.op('Cast', [g.op('GreaterOrEqual', [u, DROPOUT_RATE_INPUT])], { attrs: { to: attr.int(OnnxDataType.FLOAT) } });
  const scale = g.op('Div', [g.float32([1]), g.op('Sub', [g.float32([1]), DROPOUT_RATE_INPUT])]);
  return g.op('Mul', [g.op('Mul', [x, keep]), scale]);
}
