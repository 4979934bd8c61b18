import { expandInt3ToInt4 } from './int3-expansion';
import { checkLayout } from './quantized-matrix';
import { type KernelBits, type QuantizedMatrix, QuantizationError } from './quantize.types';

/** One routed expert's SwiGLU projections, quantized: gate/up [I, H], down [H, I]. */
export interface QuantizedExpert {
  gate: QuantizedMatrix;
  up: QuantizedMatrix;
  down: QuantizedMatrix;
}

interface QMoEProjection {
  /** uint8 [E, rows, K*bits/8]: each expert's MatMulNBits B with its last two axes merged. */
  weights: { dims: [number, number, number]; data: Uint8Array };
  /** float32 [E, rows, K/blockSize]. */
  scales: { dims: [number, number, number]; data: Float32Array };
  /** uint8 [E, rows, ceil(blocks*bits/8)], or null when symmetric. */
  zeroPoints: { dims: [number, number, number]; data: Uint8Array } | null;
}

/**
 * Block-quantized experts for one com.microsoft.QMoE node. Inputs: 2 fc1_experts_weights,
 * 3 fc1_scales, 5 fc2_experts_weights, 6 fc2_scales, 11 fc1_zero_points, 12 fc2_zero_points.
 * fc1 interleaves gate and up rows (row 2i = gate i, 2i+1 = up i: swiglu_fusion=1, the only fused
 * form ONNX Runtime 1.30 runs on CPU), fc2 is down.
 */
export interface QMoETensors {
  attributes: { expert_weight_bits: KernelBits; block_size: number; swiglu_fusion: 1 };
  fc1: QMoEProjection;
  fc2: QMoEProjection;
}

/**
 * Packs a layer's quantized experts into QMoE's tensors. QMoE reads each row exactly as
 * MatMulNBits does (codes low bits first, per-block scales, packed zero points, default 2^(bits-1)),
 * so rows are copied, not re-quantized; 3-bit experts are widened to 4 first.
 */
export function toQMoE(experts: readonly QuantizedExpert[]): QMoETensors {
  if (experts.length === 0) throw new QuantizationError('A QMoE node needs at least one expert.');
  const widen = (q: QuantizedMatrix) => (q.bits === 3 ? expandInt3ToInt4(q) : q);
  const all = experts.map((x) => ({ gate: widen(x.gate), up: widen(x.up), down: widen(x.down) }));
  const first = all[0].gate;
  const inter = first.n;
  const hidden = first.k;
  for (const [e, x] of all.entries()) {
    for (const [name, q, n, k] of [
      ['gate', x.gate, inter, hidden],
      ['up', x.up, inter, hidden],
      ['down', x.down, hidden, inter],
    ] as const) {
      checkLayout(q);
      if (q.n !== n || q.k !== k) {
        throw new QuantizationError(`Expert ${e} ${name} is [${q.n}, ${q.k}], expected [${n}, ${k}]: experts of one layer must share shapes.`);
      }
      if (q.bits !== first.bits || q.blockSize !== first.blockSize || q.symmetric !== first.symmetric) {
        throw new QuantizationError(
          `Expert ${e} ${name} is ${q.bits}-bit g${q.blockSize} ${q.symmetric ? 'symmetric' : 'asymmetric'}, ` +
            `unlike expert 0's gate: one QMoE node takes one width, group and symmetry for all its experts.`,
        );
      }
      if (q.k % q.blockSize !== 0) {
        throw new QuantizationError(`QMoE needs ${name}'s input width ${q.k} to be a multiple of the group size ${q.blockSize}.`);
      }
    }
  }
  const E = all.length;
  const fc1 = projection(E, 2 * inter, hidden, first, (e, row) => {
    const q = row % 2 === 0 ? all[e].gate : all[e].up;
    return { q, row: row >> 1 };
  });
  const fc2 = projection(E, hidden, inter, first, (e, row) => ({ q: all[e].down, row }));
  return { attributes: { expert_weight_bits: first.bits as KernelBits, block_size: first.blockSize, swiglu_fusion: 1 }, fc1, fc2 };
}

function projection(
  experts: number,
  rows: number,
  k: number,
  like: QuantizedMatrix,
  source: (expert: number, row: number) => { q: QuantizedMatrix; row: number },
): QMoEProjection {
  const { bits, blockSize } = like;
  const blocks = k / blockSize;
  const rowBytes = (k * bits) / 8;
  const zpRow = Math.ceil((blocks * bits) / 8);
  const weights = new Uint8Array(experts * rows * rowBytes);
  const scales = new Float32Array(experts * rows * blocks);
  const zeroPoints = like.symmetric ? null : new Uint8Array(experts * rows * zpRow);
  for (let e = 0; e < experts; e++)
    for (let r = 0; r < rows; r++) {
      const { q, row } = source(e, r);
      const dst = e * rows + r;
      weights.set(q.data.subarray(row * rowBytes, (row + 1) * rowBytes), dst * rowBytes);
      scales.set(q.scales.subarray(row * blocks, (row + 1) * blocks), dst * blocks);
      if (zeroPoints && q.zeroPoints) zeroPoints.set(q.zeroPoints.subarray(row * zpRow, (row + 1) * zpRow), dst * zpRow);
    }
  return {
    weights: { dims: [experts, rows, rowBytes], data: weights },
    scales: { dims: [experts, rows, blocks], data: scales },
    zeroPoints: zeroPoints ? { dims: [experts, rows, zpRow], data: zeroPoints } : null,
  };
}
