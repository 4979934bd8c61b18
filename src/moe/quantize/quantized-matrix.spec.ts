import { unpackBits } from './bit-packing';
import { expandInt3ToInt4 } from './int3-expansion';
import { quantizeMatrix, quantizeTensor } from './matrix.quantizer';
import { checkLayout, dequantizeMatrix, packMatrix, unpackCodes } from './quantized-matrix';
import { type QuantBits, QuantizationError, blocksPerCol, symmetricZeroPoint } from './quantize.types';
import { gaussianMatrix, seededRandom } from './quantize.test-utils';

const n = 5;
const allBits: QuantBits[] = [2, 3, 4, 8];
const cases: Array<[QuantBits, number, boolean, number]> = [];
for (const bits of allBits)
  for (const blockSize of [32, 64, 128])
    for (const symmetric of [true, false])
      for (const k of [blockSize * 3, blockSize * 2 + 5, 7]) cases.push([bits, blockSize, symmetric, k]);

function randomCodes(bits: QuantBits, blockSize: number, symmetric: boolean, k: number, seed: number) {
  const rand = seededRandom(seed);
  const blocks = blocksPerCol(k, blockSize);
  const codes = new Uint8Array(n * k).map(() => Math.floor(rand() * (1 << bits)));
  const scales = new Float32Array(n * blocks).map(() => rand() - 0.5);
  const zeroPoints = new Uint8Array(n * blocks).map(() =>
    symmetric ? symmetricZeroPoint(bits) : Math.floor(rand() * (1 << bits)),
  );
  return { n, k, bits, blockSize, symmetric, codes, scales, zeroPoints };
}

describe('quantized matrix layout', () => {
  it.each(cases)('%i-bit, block %i, symmetric %s, K %i: codes and zero points round-trip exactly', (bits, blockSize, symmetric, k) => {
    const u = randomCodes(bits, blockSize, symmetric, k, bits * 7 + k);
    const q = packMatrix(u);
    const blocks = blocksPerCol(k, blockSize);
    expect(q.data.length).toBe(n * blocks * ((blockSize * bits) / 8));
    expect(q.zeroPoints?.length ?? 0).toBe(symmetric ? 0 : n * Math.ceil((blocks * bits) / 8));
    const back = unpackCodes(q);
    expect(back.codes).toEqual(u.codes);
    expect(back.zeroPoints).toEqual(u.zeroPoints);
    // Padding past K in each row's last block holds the zero point, so it dequantizes to 0.
    const block = new Uint8Array(blockSize);
    for (let row = 0; row < n; row++) {
      const bi = row * blocks + blocks - 1;
      unpackBits(q.data, bi * q.blobSize, blockSize, bits, block, 0);
      const used = k - (blocks - 1) * blockSize;
      for (let j = used; j < blockSize; j++) expect(block[j]).toBe(u.zeroPoints[bi]);
    }
  });

  it.each(cases)('%i-bit, block %i, symmetric %s, K %i: quantized weights survive pack, unpack and re-pack byte for byte', (bits, blockSize, symmetric, k) => {
    const w = gaussianMatrix(n, k, seededRandom(k + bits), 0.02);
    const q = quantizeMatrix(w, n, k, { bits, blockSize, symmetric, method: 'rtn' });
    const again = packMatrix(unpackCodes(q));
    expect(again.data).toEqual(q.data);
    expect(again.zeroPoints).toEqual(q.zeroPoints);
    // Symmetric RTN is idempotent: re-quantizing the dequantized weights gives the same bytes.
    if (symmetric) {
      const re = quantizeMatrix(dequantizeMatrix(q), n, k, { bits, blockSize, symmetric, method: 'rtn' });
      expect(re.data).toEqual(q.data);
      expect(re.scales).toEqual(q.scales);
    }
  });

  it.each([true, false])('widens 3-bit to the 4-bit layout without changing any value (symmetric %s)', (symmetric) => {
    for (const k of [96, 70]) {
      const w = gaussianMatrix(n, k, seededRandom(k), 0.02);
      const q3 = quantizeMatrix(w, n, k, { bits: 3, blockSize: 32, symmetric, method: 'search' });
      const q4 = expandInt3ToInt4(q3);
      expect(q4.bits).toBe(4);
      expect(q4.zeroPoints === null).toBe(symmetric);
      expect(dequantizeMatrix(q4)).toEqual(dequantizeMatrix(q3));
      expect(q3.data.length * 4).toBe(q4.data.length * 3);
    }
  });

  it('rejects bad input with a typed, actionable error', () => {
    expect(() => quantizeMatrix(new Float32Array(10), 2, 6, { bits: 4, blockSize: 32, symmetric: true, method: 'rtn' })).toThrow(
      /needs 12/,
    );
    expect(() =>
      quantizeMatrix(new Float32Array(64), 1, 64, { bits: 5 as QuantBits, blockSize: 32, symmetric: true, method: 'rtn' }),
    ).toThrow(QuantizationError);
    expect(() => quantizeMatrix(new Float32Array(64), 1, 64, { bits: 4, blockSize: 48, symmetric: true, method: 'rtn' })).toThrow(
      /power of two/,
    );
    const bad = new Float32Array(2 * 64);
    bad[64 + 40] = Number.NaN;
    expect(() => quantizeTensor({ shape: [2, 64], data: bad }, { bits: 4, blockSize: 32, symmetric: true, method: 'search' }, 'layers.0.q_proj')).toThrow(
      /layers\.0\.q_proj: Weight \[1, 40\] is NaN/,
    );
    bad[64 + 40] = Number.POSITIVE_INFINITY;
    expect(() => quantizeMatrix(bad, 2, 64, { bits: 2, blockSize: 32, symmetric: false, method: 'rtn' })).toThrow(/Infinity/);
    expect(() => quantizeTensor({ shape: [128], data: new Float32Array(128) }, { bits: 4, blockSize: 32, symmetric: true, method: 'rtn' })).toThrow(
      /only 2-D/,
    );
    const q = quantizeMatrix(new Float32Array(64), 1, 64, { bits: 4, blockSize: 32, symmetric: false, method: 'rtn' });
    expect(() => checkLayout({ ...q, data: q.data.subarray(1) })).toThrow(/inconsistent/);
    expect(() => packMatrix({ ...randomCodes(2, 32, false, 32, 1), codes: new Uint8Array(n * 32).fill(4) })).toThrow(
      /does not fit in 2 bits/,
    );
  });

  it('quantizes an all-zero block to exact zeros', () => {
    const w = new Float32Array(2 * 64);
    w.fill(0.5, 64);
    for (const symmetric of [true, false]) {
      const q = quantizeMatrix(w, 2, 64, { bits: 2, blockSize: 32, symmetric, method: 'search' });
      const d = dequantizeMatrix(q);
      expect([...d.subarray(0, 64)].every((v) => v === 0)).toBe(true);
      expect(d[100]).toBeCloseTo(0.5, 6);
    }
  });
});
