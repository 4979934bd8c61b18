/**
 * @jest-environment ./src/moe/quantize/onnxruntime.jest-environment.ts
 */
import * as ort from 'onnxruntime-node';
import { gatherBlockQuantizedModel, matMulNBitsModel, type MatMulNBitsModelOptions } from './matmul-nbits-model.fixture';
import { type MatMulNBitsTensors, quantizeForMatMulNBits, toGatherBlockQuantized, toMatMulNBits } from './matmul-nbits.layout';
import { quantizeMatrix } from './matrix.quantizer';
import { dequantizeMatrix } from './quantized-matrix';
import type { QuantBits, QuantMethod } from './quantize.types';
import { gaussianMatrix, seededRandom } from './quantize.test-utils';

/** Runs the one-node model and returns Y [m, N]. */
async function runMatMulNBits(x: Float32Array, m: number, t: MatMulNBitsTensors, opts?: MatMulNBitsModelOptions) {
  // Severity 4 (fatal only): the refusal case below logs an expected error otherwise.
  const session = await ort.InferenceSession.create(matMulNBitsModel(m, t, opts), { intraOpNumThreads: 1, logSeverityLevel: 4 });
  try {
    const out = await session.run({ A: new ort.Tensor('float32', x, [m, t.attributes.K]) });
    return out.Y.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** y = x · Wᵀ in float64. */
function reference(x: Float32Array, m: number, w: Float32Array, n: number, k: number): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += x[i * k + p] * w[j * k + p];
      y[i * n + j] = s;
    }
  return y;
}

function maxRelError(got: Float32Array, want: Float64Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return worst / scale;
}

describe('MatMulNBits layout against ONNX Runtime', () => {
  const m = 3;
  const n = 24;
  // Max error over max |y|. accuracy_level 0 computes in float32: only summation order differs
  // (measured <= 6e-7). Level 4 quantizes the activations to int8 per block (measured 0.3-0.9%).
  const tolerance = { 0: 5e-6, 4: 2e-2 } as const;
  const cases: Array<{ bits: QuantBits; k: number; blockSize: number; symmetric: boolean; method: QuantMethod }> = [];
  for (const bits of [2, 4, 8] as const)
    for (const symmetric of [true, false])
      for (const [k, blockSize] of [
        [128, 32],
        [100, 32], // K not a multiple of the block: padded last block
        [200, 64],
        [256, 128],
      ])
        cases.push({ bits, k, blockSize, symmetric, method: bits === 2 ? 'search' : 'rtn' });

  for (const level of [0, 4] as const) {
    it.each(cases)(
      `accuracy_level ${level}: bits $bits, K $k, block $blockSize, symmetric $symmetric`,
      async ({ bits, k, blockSize, symmetric, method }) => {
        const rand = seededRandom(bits * 1000 + k + blockSize + (symmetric ? 1 : 0));
        const w = gaussianMatrix(n, k, rand, 0.05);
        const x = gaussianMatrix(m, k, rand, 1);
        const q = quantizeMatrix(w, n, k, { bits, blockSize, symmetric, method });
        const y = await runMatMulNBits(x, m, toMatMulNBits(q, level));
        const err = maxRelError(y, reference(x, m, dequantizeMatrix(q), n, k));
        expect(err).toBeLessThan(tolerance[level]);
      },
    );
  }

  it('runs a 3-bit matrix through its exact 4-bit expansion, symmetric and asymmetric', async () => {
    for (const symmetric of [true, false]) {
      const k = 96;
      const rand = seededRandom(symmetric ? 31 : 32);
      const w = gaussianMatrix(n, k, rand, 0.05);
      const x = gaussianMatrix(m, k, rand, 1);
      const q3 = quantizeMatrix(w, n, k, { bits: 3, blockSize: 32, symmetric, method: 'search' });
      const y = await runMatMulNBits(x, m, toMatMulNBits(q3, 0));
      expect(maxRelError(y, reference(x, m, dequantizeMatrix(q3), n, k))).toBeLessThan(tolerance[0]);
    }
  });

  it('accepts 2-D [N, blocks] scales as well as the flat [N * blocks]', async () => {
    const k = 64;
    const rand = seededRandom(7);
    const w = gaussianMatrix(n, k, rand, 0.05);
    const x = gaussianMatrix(m, k, rand, 1);
    const q = quantizeMatrix(w, n, k, { bits: 4, blockSize: 32, symmetric: false, method: 'rtn' });
    const y = await runMatMulNBits(x, m, toMatMulNBits(q, 0), { scalesDims: [n, q.blocksPerCol] });
    expect(maxRelError(y, reference(x, m, dequantizeMatrix(q), n, k))).toBeLessThan(tolerance[0]);
  });

  it('detects a wrong packing: high-nibble-first codes do not match', async () => {
    const k = 64;
    const rand = seededRandom(8);
    const w = gaussianMatrix(n, k, rand, 0.05);
    const x = gaussianMatrix(m, k, rand, 1);
    const q = quantizeMatrix(w, n, k, { bits: 4, blockSize: 32, symmetric: true, method: 'rtn' });
    const t = toMatMulNBits(q, 0);
    const swapped = t.B.data.map((b) => ((b & 15) << 4) | (b >> 4));
    const y = await runMatMulNBits(x, m, { ...t, B: { ...t.B, data: swapped } });
    expect(maxRelError(y, reference(x, m, dequantizeMatrix(q), n, k))).toBeGreaterThan(0.05);
  });

  it('ONNX Runtime refuses bits=3, which is why 3-bit is stored packed and widened at load', async () => {
    const k = 64;
    const w = gaussianMatrix(n, k, seededRandom(9), 0.05);
    const q3 = quantizeMatrix(w, n, k, { bits: 3, blockSize: 32, symmetric: true, method: 'rtn' });
    const raw: MatMulNBitsTensors = {
      attributes: { K: k, N: n, bits: 4, block_size: 32, accuracy_level: 4 },
      B: { dims: [n, q3.blocksPerCol, q3.blobSize], data: q3.data },
      scales: { dims: [q3.scales.length], data: q3.scales },
      zeroPoints: null,
    };
    await expect(runMatMulNBits(new Float32Array(m * k), m, raw, { bitsAttr: 3 })).rejects.toThrow();
  });

  it('quantizeForMatMulNBits (the builder\'s MatrixQuantizer) gives a runnable node, 3 bits widened to 4', async () => {
    const k = 96;
    const rand = seededRandom(10);
    const w = gaussianMatrix(n, k, rand, 0.05);
    const x = gaussianMatrix(m, k, rand, 1);
    const nb = quantizeForMatMulNBits({ shape: [n, k], data: w }, 3, 32, false);
    expect(nb.bits).toBe(4);
    const blocks = Math.ceil(k / nb.blockSize);
    const t: MatMulNBitsTensors = {
      attributes: { K: nb.k, N: nb.n, bits: nb.bits, block_size: nb.blockSize, accuracy_level: 0 },
      B: { dims: [nb.n, blocks, (nb.blockSize * nb.bits) / 8], data: nb.packed },
      scales: { dims: [nb.n * blocks], data: nb.scales },
      zeroPoints: nb.zeroPoints ? { dims: [nb.zeroPoints.length], data: nb.zeroPoints } : null,
    };
    const q3 = quantizeMatrix(w, n, k, { bits: 3, blockSize: 32, symmetric: false, method: 'search' });
    const y = await runMatMulNBits(x, m, t);
    expect(maxRelError(y, reference(x, m, dequantizeMatrix(q3), n, k))).toBeLessThan(tolerance[0]);
  });
});

describe('GatherBlockQuantized reads the same layout (quantized embeddings)', () => {
  it.each([
    [2, true],
    [2, false],
    [4, true],
    [4, false],
    [8, true],
    [8, false],
    [3, false],
  ] as const)('%i-bit, symmetric %s: gathered rows equal the dequantized rows exactly', async (bits, symmetric) => {
    const vocab = 40;
    const hidden = 128;
    const w = gaussianMatrix(vocab, hidden, seededRandom(bits * 2 + (symmetric ? 1 : 0)), 0.05);
    const q = quantizeMatrix(w, vocab, hidden, { bits, blockSize: 32, symmetric, method: 'search' });
    const ids = [3, 0, 39, 3];
    const session = await ort.InferenceSession.create(gatherBlockQuantizedModel(toGatherBlockQuantized(q), ids.length, hidden));
    try {
      const out = await session.run({ indices: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [ids.length]) });
      const y = out.Y.data as Float32Array;
      const d = dequantizeMatrix(q);
      const want = new Float32Array(ids.length * hidden);
      ids.forEach((id, i) => want.set(d.subarray(id * hidden, (id + 1) * hidden), i * hidden));
      expect(y).toEqual(want);
    } finally {
      await session.release();
    }
  });
});
