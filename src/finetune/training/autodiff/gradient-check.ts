import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attr } from '../../../moe/onnx/onnx-graph';
import { OnnxDataType } from '../../../moe/onnx/onnx-proto';
import { createOrtSession } from '../../../moe/runtime/onnxruntime.session';
import type { SessionTensor } from '../../../moe/runtime/inference-session';
import { buildBackward } from './backward';
import { TapeGraph } from './tape-graph';

export interface CheckedInput {
  name: string;
  dims: number[];
  /** Values; a checked (trained) input must hold exactly representable floats so x ± h is exact. */
  data: Float32Array | BigInt64Array | Uint8Array;
  /** Differentiate with respect to this input (float inputs only). */
  trained?: boolean;
}

export interface GradientCheckResult {
  /** max |analytic - numeric| over every trained element, divided by max(1, max |numeric|). */
  worstError: number;
  analytic: Record<string, Float32Array>;
  numeric: Record<string, Float64Array>;
}

/** Deterministic values on a 1/64 grid in [-1, 1], exact in float32. */
export function gridValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (Math.floor((s / 2 ** 32) * 129) - 64) / 64;
  });
}

/**
 * Builds `forward` into a tape, reduces its output to a scalar with fixed random weights (so every
 * output element's gradient matters and none cancel by symmetry), differentiates it, and compares the
 * analytic gradients with central differences of the same graph run in ONNX Runtime.
 *
 * Finite differences run in float32 with h = 2^-6 on values on a 1/64 grid, so x ± h is exact; the
 * truncation error is O(h^2) and float32 round-off is about 1e-7·|loss|/h, together near 1e-4 on these
 * sizes. A wrong rule is off by O(1).
 */
export async function checkGradients(
  inputs: readonly CheckedInput[],
  forward: (g: TapeGraph, values: Record<string, string>) => string,
  h = 2 ** -6,
): Promise<GradientCheckResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-gradcheck-'));
  try {
    const g = new TapeGraph(null);
    const values: Record<string, string> = {};
    for (const x of inputs) values[x.name] = g.input(x.name, typeOf(x.data), x.dims);
    const y = forward(g, values);
    // cos(0), cos(1), ...: fixed, distinct, non-zero weights per output element.
    const index = g.op('Range', [g.int64([0], []), g.op('Size', [y]), g.int64([1], [])]);
    const weights = g.op('Cos', [g.op('Cast', [index], { attrs: { to: attr.int(OnnxDataType.FLOAT) } })]);
    const loss = g.op('ReduceSum', [g.op('Mul', [g.op('Reshape', [y, g.int64([-1])]), weights])], { attrs: { keepdims: attr.int(0) } });
    const trained = inputs.filter((x) => x.trained);
    const grads = buildBackward(g, loss, trained.map((x) => values[x.name]));
    g.alias(loss, 'loss');
    g.output('loss', OnnxDataType.FLOAT, []);
    trained.forEach((x, i) => {
      g.alias(grads[i], `grad_${x.name}`);
      g.output(`grad_${x.name}`, OnnxDataType.FLOAT, x.dims);
    });
    const file = path.join(dir, 'check.onnx');
    fs.writeFileSync(file, g.toBytes('gradient_check'));
    const session = await createOrtSession(file, { intraOpThreads: 1, optimization: 'disabled' });
    try {
      const feeds = (override?: { name: string; data: Float32Array }): Record<string, SessionTensor> =>
        Object.fromEntries(
          inputs.map((x) => [x.name, { type: tensorType(x.data), dims: x.dims, data: override?.name === x.name ? override.data : x.data }]),
        );
      const out = await session.run(feeds());
      const analytic: Record<string, Float32Array> = {};
      const numeric: Record<string, Float64Array> = {};
      let worst = 0;
      for (const x of trained) {
        analytic[x.name] = Float32Array.from(out[`grad_${x.name}`].data as Float32Array);
        const base = x.data as Float32Array;
        const num = new Float64Array(base.length);
        for (let i = 0; i < base.length; i++) {
          const at = async (delta: number) => {
            const data = Float32Array.from(base);
            data[i] += delta;
            return (await session.run(feeds({ name: x.name, data }), ['loss'])).loss.data[0] as number;
          };
          num[i] = ((await at(h)) - (await at(-h))) / (2 * h);
        }
        numeric[x.name] = num;
        const scale = Math.max(1, ...Array.from(num, Math.abs));
        for (let i = 0; i < num.length; i++) worst = Math.max(worst, Math.abs(analytic[x.name][i] - num[i]) / scale);
      }
      return { worstError: worst, analytic, numeric };
    } finally {
      await session.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function typeOf(data: CheckedInput['data']): OnnxDataType {
  if (data instanceof BigInt64Array) return OnnxDataType.INT64;
  if (data instanceof Uint8Array) return OnnxDataType.BOOL;
  return OnnxDataType.FLOAT;
}

function tensorType(data: CheckedInput['data']): SessionTensor['type'] {
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'bool';
  return 'float32';
}
