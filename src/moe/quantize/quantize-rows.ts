import { packBits } from './bit-packing';
import { type GroupResult, rtnAsymmetric, rtnSymmetric, searchGroup } from './group-kernels';
import { type QuantSpec, blocksPerCol, zeroPointRowBytes } from './quantize.types';

/** Output buffers of a whole matrix; rows [rowStart, rowEnd) are written, nothing else. */
export interface RowOutputs {
  data: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array | null;
}

/**
 * Quantizes rows [rowStart, rowEnd) of a validated, finite [N, K] matrix into MatMulNBits layout.
 * Rows are independent and land in disjoint byte ranges, which is what lets threads split a matrix.
 */
export function quantizeRows(data: Float32Array, k: number, spec: QuantSpec, rowStart: number, rowEnd: number, out: RowOutputs): void {
  const { bits, blockSize, symmetric } = spec;
  const blocks = blocksPerCol(k, blockSize);
  const blobSize = (blockSize * bits) / 8;
  const zpRow = zeroPointRowBytes(blocks, bits);
  const codes = new Uint8Array(blockSize);
  const rtnCodes = new Uint8Array(blockSize);
  const rowZps = new Uint8Array(blocks);
  const res: GroupResult = { scale: 0, zeroPoint: 0 };
  const search = spec.method === 'search';
  for (let row = rowStart; row < rowEnd; row++) {
    const rowOff = row * k;
    for (let b = 0; b < blocks; b++) {
      const start = b * blockSize;
      const len = Math.min(blockSize, k - start);
      if (search) searchGroup(data, rowOff + start, len, bits, symmetric, codes, rtnCodes, res);
      else if (symmetric) rtnSymmetric(data, rowOff + start, len, bits, codes, res);
      else rtnAsymmetric(data, rowOff + start, len, bits, codes, res);
      if (len < blockSize) codes.fill(res.zeroPoint, len);
      const blockIndex = row * blocks + b;
      packBits(codes, 0, blockSize, bits, out.data, blockIndex * blobSize);
      out.scales[blockIndex] = res.scale;
      rowZps[b] = res.zeroPoint;
    }
    if (out.zeroPoints) packBits(rowZps, 0, blocks, bits, out.zeroPoints, row * zpRow);
  }
}
