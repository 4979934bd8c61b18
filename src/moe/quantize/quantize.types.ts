import { MoeError } from '../moe.errors';

/**
 * Code widths we store. 2, 4 and 8 are ONNX Runtime MatMulNBits widths; 3 is our own packed-at-rest
 * format (8 codes in 3 bytes) that `expandInt3ToInt4` widens to the 4-bit layout at load, because no
 * ONNX Runtime kernel takes 3 bits.
 */
export type QuantBits = 2 | 3 | 4 | 8;

/** Widths MatMulNBits accepts on CPU (ONNX Runtime 1.30 refuses bits=3). */
export type KernelBits = 2 | 4 | 8;

/**
 * 'rtn': round to nearest on the group's range (what ONNX Runtime's own quantizer does).
 * 'search': per-group search over scale (and zero-point) candidates minimising squared weight error,
 * as llama.cpp's k-quants do; never worse than RTN for any group.
 */
export type QuantMethod = 'rtn' | 'search';

export interface QuantSpec {
  bits: QuantBits;
  /** Quantization block along K. MatMulNBits needs a power of two >= 16; we allow 16 to 256. */
  blockSize: number;
  /** Symmetric: no zero_points tensor, the kernel assumes 2^(bits-1). Asymmetric: one uint8 zero point per block. */
  symmetric: boolean;
  method: QuantMethod;
}

/**
 * One [N, K] matrix (PyTorch Linear [out, in]) quantized along K, in ONNX Runtime MatMulNBits layout:
 * - data: uint8 [N, blocksPerCol, blobSize], blobSize = blockSize*bits/8, codes packed low bits first
 *   (for bits=3, a little-endian bit stream: 8 codes in 3 bytes); padding past K holds the zero point;
 * - scales: float32 [N * blocksPerCol] (row-major, row n's blocks together);
 * - zeroPoints: uint8 [N * ceil(blocksPerCol*bits/8)], each row starting on a byte, packed like data;
 *   null when symmetric.
 * Dequantized value: (code - zeroPoint) * scale, zeroPoint = 2^(bits-1) when symmetric.
 */
export interface QuantizedMatrix {
  readonly n: number;
  readonly k: number;
  readonly bits: QuantBits;
  readonly blockSize: number;
  readonly symmetric: boolean;
  readonly blocksPerCol: number;
  readonly blobSize: number;
  readonly data: Uint8Array;
  readonly scales: Float32Array;
  readonly zeroPoints: Uint8Array | null;
}

/** Bad quantization input: an unsupported bit width or block size, a shape that does not match its data. */
export class QuantizationError extends MoeError {}

export const SUPPORTED_BITS: readonly QuantBits[] = [2, 3, 4, 8];

export function validateSpec(spec: QuantSpec): void {
  if (!SUPPORTED_BITS.includes(spec.bits)) {
    throw new QuantizationError(`Unsupported bit width ${String(spec.bits)}: use 8, 4, 3 or 2.`);
  }
  const b = spec.blockSize;
  if (!Number.isInteger(b) || b < 16 || b > 256 || (b & (b - 1)) !== 0) {
    throw new QuantizationError(
      `Unsupported group size ${String(b)}: MatMulNBits needs a power of two from 16 to 256 (use 32, 64 or 128).`,
    );
  }
  if (spec.method !== 'rtn' && spec.method !== 'search') {
    throw new QuantizationError(`Unknown quantization method '${String(spec.method)}': use 'rtn' or 'search'.`);
  }
}

export function blocksPerCol(k: number, blockSize: number): number {
  return Math.ceil(k / blockSize);
}

/** Bytes of one row's packed zero points. */
export function zeroPointRowBytes(blocks: number, bits: number): number {
  return Math.ceil((blocks * bits) / 8);
}

/** The zero point the kernel assumes when none is given. */
export function symmetricZeroPoint(bits: number): number {
  return 1 << (bits - 1);
}
