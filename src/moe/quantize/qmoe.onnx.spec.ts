/**
 * @jest-environment ./src/moe/quantize/onnxruntime.jest-environment.ts
 */
import * as ort from 'onnxruntime-node';
import { quantizeMatrix } from './matrix.quantizer';
import { qmoeModel } from './qmoe-model.fixture';
import { type QuantizedExpert, toQMoE } from './qmoe.layout';
import { dequantizeMatrix } from './quantized-matrix';
import { type QuantBits, QuantizationError } from './quantize.types';
import { gaussianMatrix, seededRandom } from './quantize.test-utils';

const E = 4;
const H = 64;
const I = 96;
const T = 6;
const TOP_K = 2;

function experts(bits: QuantBits, symmetric: boolean, seed: number): QuantizedExpert[] {
  const rand = seededRandom(seed);
  const q = (n: number, k: number) =>
    quantizeMatrix(gaussianMatrix(n, k, rand, 0.1), n, k, { bits, blockSize: 32, symmetric, method: 'search' });
  return Array.from({ length: E }, () => ({ gate: q(I, H), up: q(I, H), down: q(H, I) }));
}

/** Top-k of the router logits, softmax over the chosen ones, SwiGLU experts on dequantized weights, in float64. */
function reference(x: Float32Array, logits: Float32Array, ex: QuantizedExpert[]): Float64Array {
  const d = ex.map((e) => ({ gate: dequantizeMatrix(e.gate), up: dequantizeMatrix(e.up), down: dequantizeMatrix(e.down) }));
  const y = new Float64Array(T * H);
  for (let t = 0; t < T; t++) {
    const chosen = [...logits.subarray(t * E, (t + 1) * E)]
      .map((v, e) => ({ v, e }))
      .sort((a, b) => b.v - a.v)
      .slice(0, TOP_K);
    const z = chosen.reduce((s, c) => s + Math.exp(c.v - chosen[0].v), 0);
    for (const { v, e } of chosen) {
      const weight = Math.exp(v - chosen[0].v) / z;
      const h = new Float64Array(I);
      for (let i = 0; i < I; i++) {
        let g = 0;
        let u = 0;
        for (let k = 0; k < H; k++) {
          g += x[t * H + k] * d[e].gate[i * H + k];
          u += x[t * H + k] * d[e].up[i * H + k];
        }
        h[i] = (g / (1 + Math.exp(-g))) * u;
      }
      for (let o = 0; o < H; o++) {
        let s = 0;
        for (let i = 0; i < I; i++) s += h[i] * d[e].down[o * I + i];
        y[t * H + o] += weight * s;
      }
    }
  }
  return y;
}

describe('QMoE reads the quantizer layout (fused quantized experts)', () => {
  it.each([
    [2, true],
    [2, false],
    [3, true],
    [3, false],
    [4, true],
    [4, false],
    [8, true],
    [8, false],
  ] as const)('%i-bit, symmetric %s: QMoE equals SwiGLU experts on the dequantized weights', async (bits, symmetric) => {
    const ex = experts(bits, symmetric, bits * 10 + (symmetric ? 1 : 0));
    const rand = seededRandom(99);
    const x = gaussianMatrix(T, H, rand, 1);
    const logits = gaussianMatrix(T, E, rand, 1);
    const t = toQMoE(ex);
    expect(t.attributes.expert_weight_bits).toBe(bits === 3 ? 4 : bits);
    const session = await ort.InferenceSession.create(qmoeModel(t, T, TOP_K), { intraOpNumThreads: 1 });
    try {
      const out = await session.run({
        input: new ort.Tensor('float32', x, [T, H]),
        router_probs: new ort.Tensor('float32', logits, [T, E]),
      });
      const y = out.Y.data as Float32Array;
      const want = reference(x, logits, ex);
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(y[i] - want[i]));
        scale = Math.max(scale, Math.abs(want[i]));
      }
      // At these shapes QMoE dequantizes and runs float GEMMs (max error / max |y| about 5e-7); at
      // the benchmark's shapes its 2-bit path quantizes activations (~1%, docs/moe-quantization.md).
      expect(worst / scale).toBeLessThan(1e-5);
    } finally {
      await session.release();
    }
  });

  it('interleaves gate and up rows and keeps down as fc2', () => {
    const ex = experts(4, true, 5);
    const t = toQMoE(ex);
    const rowBytes = H / 2;
    expect(t.fc1.weights.dims).toEqual([E, 2 * I, rowBytes]);
    expect(t.fc2.weights.dims).toEqual([E, H, I / 2]);
    expect(t.fc1.scales.dims).toEqual([E, 2 * I, H / 32]);
    // Expert 2, fc1 row 7 is up row 3; row 6 is gate row 3.
    const row = (e: number, r: number) => t.fc1.weights.data.subarray((e * 2 * I + r) * rowBytes, (e * 2 * I + r + 1) * rowBytes);
    expect(row(2, 7)).toEqual(ex[2].up.data.subarray(3 * rowBytes, 4 * rowBytes));
    expect(row(2, 6)).toEqual(ex[2].gate.data.subarray(3 * rowBytes, 4 * rowBytes));
    expect(t.fc1.zeroPoints).toBeNull();
  });

  it('refuses experts that do not share a width, or a width that is not a multiple of the group', () => {
    const mixed = experts(4, true, 6);
    mixed[1] = { ...mixed[1], down: experts(2, true, 7)[1].down };
    expect(() => toQMoE(mixed)).toThrow(QuantizationError);
    expect(() => toQMoE(mixed)).toThrow(/one width, group and symmetry/);
    const rand = seededRandom(8);
    const q = (n: number, k: number) => quantizeMatrix(gaussianMatrix(n, k, rand, 0.1), n, k, { bits: 4, blockSize: 32, symmetric: true, method: 'rtn' });
    expect(() => toQMoE([{ gate: q(40, 48), up: q(40, 48), down: q(48, 40) }])).toThrow(/multiple of the group size/);
  });
});
