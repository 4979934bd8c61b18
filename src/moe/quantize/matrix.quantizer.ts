import type { Tensor } from '../model/model-weights';
import { parallelQuantize } from './quantizer-pool';
import { quantizeRows } from './quantize-rows';
import {
  type QuantizedMatrix,
  type QuantSpec,
  QuantizationError,
  blocksPerCol,
  validateSpec,
  zeroPointRowBytes,
} from './quantize.types';

/**
 * Quantizes a [N, K] row-major matrix group-wise along K into MatMulNBits layout (see QuantizedMatrix).
 * When K is not a multiple of the block size the last block of each row is padded with the zero
 * point, so padding dequantizes to exactly 0 whatever the kernel does with it.
 */
export function quantizeMatrix(data: Float32Array, n: number, k: number, spec: QuantSpec): QuantizedMatrix {
  validateSpec(spec);
  if (!Number.isInteger(n) || !Number.isInteger(k) || n <= 0 || k <= 0) {
    throw new QuantizationError(`Cannot quantize a matrix of shape [${n}, ${k}]: both sizes must be positive integers.`);
  }
  if (data.length !== n * k) {
    throw new QuantizationError(
      `Matrix data has ${data.length} values but shape [${n}, ${k}] needs ${n * k}: the tensor is truncated or mis-shaped.`,
    );
  }
  const { bits, blockSize, symmetric } = spec;
  const blocks = blocksPerCol(k, blockSize);
  const blobSize = (blockSize * bits) / 8;
  for (let row = 0; row < n; row++) checkFinite(data, row * k, k, row);
  let out = parallelQuantize(data, n, k, spec);
  if (!out) {
    out = {
      data: new Uint8Array(n * blocks * blobSize),
      scales: new Float32Array(n * blocks),
      zeroPoints: symmetric ? null : new Uint8Array(n * zeroPointRowBytes(blocks, bits)),
    };
    quantizeRows(data, k, spec, 0, n, out);
  }
  return { n, k, bits, blockSize, symmetric, blocksPerCol: blocks, blobSize, data: out.data, scales: out.scales, zeroPoints: out.zeroPoints };
}

/** A NaN or infinity would silently poison its whole group's scale: refuse it, saying where it is. */
function checkFinite(data: Float32Array, off: number, len: number, row: number): void {
  for (let i = off, end = off + len; i < end; i++) {
    const v = data[i];
    if (v - v !== 0) {
      throw new QuantizationError(
        `Weight [${row}, ${i - off}] is ${v}: the checkpoint holds non-finite values; re-export it or check the source dtype.`,
      );
    }
  }
}

/** quantizeMatrix for a 2-D Tensor ([out, in], PyTorch Linear convention). */
export function quantizeTensor(tensor: Tensor, spec: QuantSpec, name = 'tensor'): QuantizedMatrix {
  if (tensor.shape.length !== 2) {
    throw new QuantizationError(
      `Cannot quantize ${name} of shape [${tensor.shape.join(', ')}]: only 2-D [out, in] weight matrices are quantized.`,
    );
  }
  try {
    return quantizeMatrix(tensor.data, tensor.shape[0], tensor.shape[1], spec);
  } catch (error) {
    if (error instanceof QuantizationError) throw new QuantizationError(`${name}: ${error.message}`);
    throw error;
  }
}
