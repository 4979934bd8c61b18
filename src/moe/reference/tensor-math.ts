import type { Tensor } from '../model/model-weights';

/**
 * The few dense operations the reference pass needs, written plainly. Sums run in float64 (JS
 * numbers) and are stored as float32, so results track a float64 implementation closely.
 */

/** y = W x (+ bias), W stored [out, in] row-major. */
export function matVec(weight: Tensor, x: Float32Array, bias?: Tensor): Float32Array {
  const [rows, cols] = weight.shape;
  const w = weight.data;
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = bias ? bias.data[r] : 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) sum += w[base + c] * x[c];
    y[r] = sum;
  }
  return y;
}

/** RMSNorm over consecutive groups of `size` elements (one group = whole vector, or one head). */
export function rmsNorm(x: Float32Array, weight: Float32Array, eps: number, size = x.length): Float32Array {
  const out = new Float32Array(x.length);
  for (let start = 0; start < x.length; start += size) {
    let squares = 0;
    for (let i = 0; i < size; i++) squares += x[start + i] * x[start + i];
    const scale = 1 / Math.sqrt(squares / size + eps);
    for (let i = 0; i < size; i++) out[start + i] = x[start + i] * scale * weight[i];
  }
  return out;
}

export function silu(v: number): number {
  return v / (1 + Math.exp(-v));
}

export function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** Softmax of a list of numbers, max-subtracted for stability. */
export function softmax(values: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  const exps = Array.from(values, (v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export function addInto(target: Float32Array, source: Float32Array, scale = 1): void {
  for (let i = 0; i < target.length; i++) target[i] += scale * source[i];
}

/** SwiGLU feed-forward: down(silu(gate x) * up x). */
export function swiglu(gate: Tensor, up: Tensor, down: Tensor, x: Float32Array): Float32Array {
  const g = matVec(gate, x);
  const u = matVec(up, x);
  for (let i = 0; i < g.length; i++) g[i] = silu(g[i]) * u[i];
  return matVec(down, g);
}
