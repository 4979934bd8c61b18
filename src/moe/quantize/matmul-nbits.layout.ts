import type { Tensor } from '../model/model-weights';
import { expandInt3ToInt4 } from './int3-expansion';
import { quantizeTensor } from './matrix.quantizer';
import { checkLayout } from './quantized-matrix';
import { type KernelBits, type QuantBits, type QuantizedMatrix, type QuantMethod, QuantizationError } from './quantize.types';

/**
 * accuracy_level 4 lets MatMulNBits quantize the activations to int8 per block: on CPU with ONNX
 * Runtime 1.30 it is the only fast path (2- and 8-bit at levels 0-3 are about a hundred times slower),
 * at the price of roughly 0.3% output error.
 */
export const FAST_ACCURACY_LEVEL = 4;

/** Everything one com.microsoft MatMulNBits node needs besides its input A. */
export interface MatMulNBitsTensors {
  attributes: { K: number; N: number; bits: KernelBits; block_size: number; accuracy_level: number };
  /** uint8 [N, blocksPerCol, blobSize]. */
  B: { dims: [number, number, number]; data: Uint8Array };
  /** float32 [N * blocksPerCol] (ONNX Runtime 1.30 also accepts [N, blocksPerCol]). */
  scales: { dims: number[]; data: Float32Array };
  /** uint8 [N * ceil(blocksPerCol*bits/8)], or null for symmetric (the kernel assumes 2^(bits-1)). */
  zeroPoints: { dims: number[]; data: Uint8Array } | null;
}

/**
 * The initializers and attributes of a MatMulNBits node for y = x · dequant(W)ᵀ. A 3-bit matrix is
 * widened to 4-bit here (exactly; see expandInt3ToInt4) because no kernel takes 3 bits.
 */
export function toMatMulNBits(q: QuantizedMatrix, accuracyLevel: number = FAST_ACCURACY_LEVEL): MatMulNBitsTensors {
  const m = q.bits === 3 ? expandInt3ToInt4(q) : q;
  checkLayout(m);
  return {
    attributes: { K: m.k, N: m.n, bits: m.bits as KernelBits, block_size: m.blockSize, accuracy_level: accuracyLevel },
    B: { dims: [m.n, m.blocksPerCol, m.blobSize], data: m.data },
    scales: { dims: [m.n * m.blocksPerCol], data: m.scales },
    zeroPoints: m.zeroPoints ? { dims: [m.zeroPoints.length], data: m.zeroPoints } : null,
  };
}

/** A matrix ready for MatMulNBits, in the shape the ONNX builder's LinearEmitter takes (NBitsMatrix). */
export interface NBitsMatrix {
  bits: KernelBits;
  blockSize: number;
  n: number;
  k: number;
  /** B: uint8 [n, ceil(k/blockSize), blockSize*bits/8]. */
  packed: Uint8Array;
  /** float32 [n * ceil(k/blockSize)]. */
  scales: Float32Array;
  /** uint8 [n * ceil(ceil(k/blockSize)*bits/8)], or null when symmetric. */
  zeroPoints: Uint8Array | null;
}

/**
 * Quantizes an [out, in] weight for one MatMulNBits node. Matches the builder's MatrixQuantizer
 * signature; 3 bits are accepted and come back widened to 4. Default method: scale search below
 * 8 bits (see QuantizationMode.method).
 */
export function quantizeForMatMulNBits(
  weight: Tensor,
  bits: QuantBits,
  group: number,
  symmetric: boolean,
  method: QuantMethod = bits <= 4 ? 'search' : 'rtn',
): NBitsMatrix {
  const q = quantizeTensor(weight, { bits, blockSize: group, symmetric, method });
  const m = q.bits === 3 ? expandInt3ToInt4(q) : q;
  return {
    bits: m.bits as KernelBits,
    blockSize: m.blockSize,
    n: m.n,
    k: m.k,
    packed: m.data,
    scales: m.scales,
    zeroPoints: m.zeroPoints,
  };
}

/** Everything one com.microsoft GatherBlockQuantized node needs besides its indices. */
export interface GatherBlockQuantizedTensors {
  attributes: { gather_axis: 0; quantize_axis: 1; block_size: number; bits: KernelBits };
  /** uint8 [N, K*bits/8]: MatMulNBits' B with its last two axes merged. */
  data: { dims: [number, number]; data: Uint8Array };
  /** float32 [N, K/blockSize]. */
  scales: { dims: [number, number]; data: Float32Array };
  /** uint8 [N, ceil(blocks*bits/8)], or null when symmetric. */
  zeroPoints: { dims: [number, number]; data: Uint8Array } | null;
}

/**
 * The same quantized [vocab, hidden] matrix as a GatherBlockQuantized table, for a quantized
 * embedding lookup: ONNX Runtime reads uint8 data with MatMulNBits' conventions (low bits first,
 * default zero point 2^(bits-1)), so the bytes are shared with a tied lm_head's MatMulNBits as they are.
 */
export function toGatherBlockQuantized(q: QuantizedMatrix): GatherBlockQuantizedTensors {
  const m = q.bits === 3 ? expandInt3ToInt4(q) : q;
  checkLayout(m);
  if (m.k % m.blockSize !== 0) {
    throw new QuantizationError(
      `A quantized embedding needs its width (${m.k}) to be a multiple of the group size (${m.blockSize}); use a smaller group.`,
    );
  }
  const blocks = m.blocksPerCol;
  return {
    attributes: { gather_axis: 0, quantize_axis: 1, block_size: m.blockSize, bits: m.bits as KernelBits },
    data: { dims: [m.n, blocks * m.blobSize], data: m.data },
    scales: { dims: [m.n, blocks], data: m.scales },
    zeroPoints: m.zeroPoints ? { dims: [m.n, m.zeroPoints.length / m.n], data: m.zeroPoints } : null,
  };
}
