import { expandInt3ToInt4 } from './int3-expansion';
import { checkLayout } from './quantized-matrix';
import type { KernelBits, QuantizedMatrix } from './quantize.types';

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
