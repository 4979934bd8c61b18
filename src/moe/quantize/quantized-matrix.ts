import { packBits, unpackBits } from './bit-packing';
import {
  type QuantBits,
  type QuantizedMatrix,
  QuantizationError,
  blocksPerCol,
  symmetricZeroPoint,
  validateSpec,
  zeroPointRowBytes,
} from './quantize.types';

/** Integer codes of a matrix before packing, e.g. from another quantizer or a pre-quantized checkpoint. */
export interface UnpackedMatrix {
  n: number;
  k: number;
  bits: QuantBits;
  blockSize: number;
  symmetric: boolean;
  /** [N, K], each in [0, 2^bits). */
  codes: Uint8Array;
  /** [N * blocksPerCol]. */
  scales: Float32Array;
  /** [N * blocksPerCol]; ignored (and must be 2^(bits-1)) when symmetric. */
  zeroPoints: Uint8Array;
}

/** Packs codes into MatMulNBits layout, padding each row's last block with its zero point. */
export function packMatrix(u: UnpackedMatrix): QuantizedMatrix {
  const { n, k, bits, blockSize, symmetric } = u;
  validateSpec({ bits, blockSize, symmetric, method: 'rtn' });
  const blocks = blocksPerCol(k, blockSize);
  if (u.codes.length !== n * k || u.scales.length !== n * blocks || u.zeroPoints.length !== n * blocks) {
    throw new QuantizationError(
      `Cannot pack [${n}, ${k}] in blocks of ${blockSize}: need ${n * k} codes and ${n * blocks} scales and zero points, ` +
        `got ${u.codes.length}, ${u.scales.length} and ${u.zeroPoints.length}.`,
    );
  }
  const limit = 1 << bits;
  for (let i = 0; i < u.codes.length; i++) {
    if (u.codes[i] >= limit) throw new QuantizationError(`Code ${u.codes[i]} at ${i} does not fit in ${bits} bits.`);
  }
  const blobSize = (blockSize * bits) / 8;
  const zpRow = zeroPointRowBytes(blocks, bits);
  const data = new Uint8Array(n * blocks * blobSize);
  const zeroPoints = symmetric ? null : new Uint8Array(n * zpRow);
  const block = new Uint8Array(blockSize);
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < blocks; b++) {
      const bi = row * blocks + b;
      const zp = symmetric ? symmetricZeroPoint(bits) : u.zeroPoints[bi];
      if (symmetric && u.zeroPoints[bi] !== zp) {
        throw new QuantizationError(`Symmetric ${bits}-bit blocks have zero point ${zp}, block ${bi} has ${u.zeroPoints[bi]}.`);
      }
      if (zp >= limit) throw new QuantizationError(`Zero point ${zp} of block ${bi} does not fit in ${bits} bits.`);
      const start = b * blockSize;
      const len = Math.min(blockSize, k - start);
      block.set(u.codes.subarray(row * k + start, row * k + start + len));
      block.fill(zp, len);
      packBits(block, 0, blockSize, bits, data, bi * blobSize);
    }
    if (zeroPoints) packBits(u.zeroPoints, row * blocks, blocks, bits, zeroPoints, row * zpRow);
  }
  return { n, k, bits, blockSize, symmetric, blocksPerCol: blocks, blobSize, data, scales: u.scales, zeroPoints };
}

/** Integer codes [N, K] (padding dropped) and per-block zero points [N * blocksPerCol]. */
export function unpackCodes(q: QuantizedMatrix): UnpackedMatrix {
  checkLayout(q);
  const { n, k, bits, blockSize, blocksPerCol: blocks, blobSize } = q;
  const codes = new Uint8Array(n * k);
  const zeroPoints = new Uint8Array(n * blocks);
  const block = new Uint8Array(blockSize);
  const zpRow = zeroPointRowBytes(blocks, bits);
  for (let row = 0; row < n; row++) {
    if (q.zeroPoints) unpackBits(q.zeroPoints, row * zpRow, blocks, bits, zeroPoints, row * blocks);
    else zeroPoints.fill(symmetricZeroPoint(bits), row * blocks, (row + 1) * blocks);
    for (let b = 0; b < blocks; b++) {
      const start = b * blockSize;
      const len = Math.min(blockSize, k - start);
      unpackBits(q.data, (row * blocks + b) * blobSize, blockSize, bits, block, 0);
      codes.set(block.subarray(0, len), row * k + start);
    }
  }
  return { n, k, bits, blockSize, symmetric: q.symmetric, codes, scales: q.scales, zeroPoints };
}

/** Dequantizes to a [N, K] float32 matrix: (code - zeroPoint) * scale, computed in float32 as the kernel does. */
export function dequantizeMatrix(q: QuantizedMatrix): Float32Array {
  const { n, k, blockSize, blocksPerCol: blocks } = q;
  const { codes, zeroPoints } = unpackCodes(q);
  const out = new Float32Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < blocks; b++) {
      const bi = row * blocks + b;
      const scale = q.scales[bi];
      const zp = zeroPoints[bi];
      const start = row * k + b * blockSize;
      const end = row * k + Math.min(k, (b + 1) * blockSize);
      for (let i = start; i < end; i++) out[i] = (codes[i] - zp) * scale;
    }
  }
  return out;
}

/** Checks that a QuantizedMatrix's buffers have the sizes its header promises (e.g. after reading it from disk). */
export function checkLayout(q: QuantizedMatrix): void {
  validateSpec({ bits: q.bits, blockSize: q.blockSize, symmetric: q.symmetric, method: 'rtn' });
  const blocks = blocksPerCol(q.k, q.blockSize);
  const blob = (q.blockSize * q.bits) / 8;
  const problems: string[] = [];
  if (q.blocksPerCol !== blocks) problems.push(`blocksPerCol ${q.blocksPerCol} (expected ${blocks})`);
  if (q.blobSize !== blob) problems.push(`blobSize ${q.blobSize} (expected ${blob})`);
  if (q.data.length !== q.n * blocks * blob) problems.push(`data ${q.data.length} bytes (expected ${q.n * blocks * blob})`);
  if (q.scales.length !== q.n * blocks) problems.push(`scales ${q.scales.length} (expected ${q.n * blocks})`);
  const zpBytes = q.n * zeroPointRowBytes(blocks, q.bits);
  if (q.symmetric && q.zeroPoints) problems.push('zero points present on a symmetric matrix');
  if (!q.symmetric && (!q.zeroPoints || q.zeroPoints.length !== zpBytes)) {
    problems.push(`zero points ${q.zeroPoints?.length ?? 'missing'} (expected ${zpBytes} bytes)`);
  }
  if (problems.length) {
    throw new QuantizationError(
      `Quantized matrix [${q.n}, ${q.k}] ${q.bits}-bit/g${q.blockSize} is inconsistent: ${problems.join('; ')}. Re-quantize the model.`,
    );
  }
}
