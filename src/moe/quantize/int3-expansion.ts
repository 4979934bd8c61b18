import { packBits, unpackBits } from './bit-packing';
import { type QuantizedMatrix, QuantizationError, zeroPointRowBytes } from './quantize.types';
import { checkLayout } from './quantized-matrix';

/**
 * Widens a 3-bit packed matrix (on disk: 3 bits a weight) into the 4-bit MatMulNBits layout at load,
 * exactly: every dequantized value is unchanged. Memory and speed are then those of 4-bit; only the
 * file is smaller.
 * Symmetric codes shift by +4 so that the 4-bit kernel's implicit zero point 8 stands for 3-bit's 4
 * ((c+4) - 8 = c - 4) and no zero_points tensor is needed; asymmetric codes and zero points are copied.
 */
export function expandInt3ToInt4(q: QuantizedMatrix): QuantizedMatrix {
  if (q.bits !== 3) throw new QuantizationError(`expandInt3ToInt4 takes a 3-bit matrix, got ${q.bits}-bit.`);
  checkLayout(q);
  const { n, blockSize, blocksPerCol: blocks, blobSize } = q;
  const blob4 = blockSize / 2;
  const data = new Uint8Array(n * blocks * blob4);
  const codes = new Uint8Array(blockSize);
  const shift = q.symmetric ? 4 : 0;
  for (let bi = 0; bi < n * blocks; bi++) {
    unpackBits(q.data, bi * blobSize, blockSize, 3, codes, 0);
    if (shift) for (let j = 0; j < blockSize; j++) codes[j] += shift;
    packBits(codes, 0, blockSize, 4, data, bi * blob4);
  }
  let zeroPoints: Uint8Array | null = null;
  if (q.zeroPoints) {
    const row3 = zeroPointRowBytes(blocks, 3);
    const row4 = zeroPointRowBytes(blocks, 4);
    zeroPoints = new Uint8Array(n * row4);
    const zps = new Uint8Array(blocks);
    for (let row = 0; row < n; row++) {
      unpackBits(q.zeroPoints, row * row3, blocks, 3, zps, 0);
      packBits(zps, 0, blocks, 4, zeroPoints, row * row4);
    }
  }
  return {
    n,
    k: q.k,
    bits: 4,
    blockSize,
    symmetric: q.symmetric,
    blocksPerCol: blocks,
    blobSize: blob4,
    data,
    scales: q.scales,
    zeroPoints,
  };
}
