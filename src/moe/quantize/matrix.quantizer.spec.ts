import { groupSquaredError } from './group-kernels';
import { quantizeMatrix } from './matrix.quantizer';
import { weightError } from './quality-report';
import { dequantizeMatrix, unpackCodes } from './quantized-matrix';
import type { QuantBits, QuantizedMatrix } from './quantize.types';
import { gaussianMatrix, heavyTailedMatrix, seededRandom } from './quantize.test-utils';

const n = 64;
const k = 320; // not a multiple of 128: the last 128-block is padded

/** Sum of squared errors per block, from the packed matrix. */
function blockErrors(w: Float32Array, q: QuantizedMatrix): Float64Array {
  const { codes, zeroPoints } = unpackCodes(q);
  const out = new Float64Array(q.n * q.blocksPerCol);
  for (let row = 0; row < q.n; row++)
    for (let b = 0; b < q.blocksPerCol; b++) {
      const bi = row * q.blocksPerCol + b;
      const start = b * q.blockSize;
      const len = Math.min(q.blockSize, q.k - start);
      const slice = codes.subarray(row * q.k + start, row * q.k + start + len);
      out[bi] = groupSquaredError(w, row * q.k + start, len, slice, q.scales[bi], zeroPoints[bi]);
    }
  return out;
}

const modes: Array<[QuantBits, number]> = [];
for (const bits of [2, 3, 4, 8] as const) for (const g of [32, 64, 128]) modes.push([bits, g]);

describe('group-wise quantization error', () => {
  const w = heavyTailedMatrix(n, k, seededRandom(11), 0.02);

  it.each(modes)('RTN asymmetric %i-bit g%i: every error is within half its block scale', (bits, blockSize) => {
    const q = quantizeMatrix(w, n, k, { bits, blockSize, symmetric: false, method: 'rtn' });
    const d = dequantizeMatrix(q);
    let worst = 0; // error over its bound; one expect, not one per weight
    for (let i = 0; i < w.length; i++) {
      const scale = q.scales[Math.floor(i / k) * q.blocksPerCol + Math.floor((i % k) / blockSize)];
      worst = Math.max(worst, Math.abs(w[i] - d[i]) / ((Math.abs(scale) / 2) * 1.0001 + 1e-12));
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(worst).toBeGreaterThan(0.9); // the bound is tight, not vacuous
  });

  it.each(modes)('RTN symmetric %i-bit g%i: within half a scale, or one scale where the top code clips', (bits, blockSize) => {
    const q = quantizeMatrix(w, n, k, { bits, blockSize, symmetric: true, method: 'rtn' });
    const d = dequantizeMatrix(q);
    const half = 1 << (bits - 1);
    let clipped = 0;
    let worst = 0;
    for (let i = 0; i < w.length; i++) {
      const scale = q.scales[Math.floor(i / k) * q.blocksPerCol + Math.floor((i % k) / blockSize)];
      const err = Math.abs(w[i] - d[i]);
      // The block's extreme maps to -half; only values of the other sign beyond (half - 1/2)·|scale| clip.
      const isClipped = scale !== 0 && w[i] / scale > half - 0.5;
      if (isClipped) clipped++;
      worst = Math.max(worst, err / ((Math.abs(scale) / (isClipped ? 1 : 2)) * 1.0001 + 1e-12));
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(clipped).toBeLessThan(w.length / 50);
  });

  it.each(modes)('scale search %i-bit g%i is never worse than RTN in any block', (bits, blockSize) => {
    for (const symmetric of [true, false]) {
      const rtn = blockErrors(w, quantizeMatrix(w, n, k, { bits, blockSize, symmetric, method: 'rtn' }));
      const search = blockErrors(w, quantizeMatrix(w, n, k, { bits, blockSize, symmetric, method: 'search' }));
      for (let b = 0; b < rtn.length; b++) expect(search[b]).toBeLessThanOrEqual(rtn[b]);
    }
  });

  // Bounds from the measured figures (docs/moe-quantization.md) with ~10% headroom: relative
  // Frobenius error, group 32, on N(0, 0.02²) weights.
  const bounds: Array<[QuantBits, boolean, number, number]> = [
    [8, false, 0.0055, 0.0055],
    [4, false, 0.09, 0.085],
    [4, true, 0.095, 0.09],
    [3, false, 0.19, 0.176],
    [3, true, 0.19, 0.178],
    [2, false, 0.45, 0.366],
    [2, true, 0.40, 0.365],
  ];
  it.each(bounds)('gaussian, %i-bit g32 symmetric %s: RTN error < %f, search < %f', (bits, symmetric, rtnBound, searchBound) => {
    const g = gaussianMatrix(n, 512, seededRandom(bits), 0.02);
    const rtn = weightError(g, quantizeMatrix(g, n, 512, { bits, blockSize: 32, symmetric, method: 'rtn' }));
    const search = weightError(g, quantizeMatrix(g, n, 512, { bits, blockSize: 32, symmetric, method: 'search' }));
    expect(rtn.relFrobenius).toBeLessThan(rtnBound);
    expect(search.relFrobenius).toBeLessThan(searchBound);
  });

  it('scale search pays at 3 and 2 bits on gaussian and heavy-tailed weights', () => {
    const dists = [gaussianMatrix(n, 512, seededRandom(21), 0.02), heavyTailedMatrix(n, 512, seededRandom(22), 0.02)];
    for (const g of dists) {
      const gain = (bits: QuantBits) => {
        const spec = { bits, blockSize: 32, symmetric: false } as const;
        const rtn = weightError(g, quantizeMatrix(g, n, 512, { ...spec, method: 'rtn' })).relFrobenius;
        const search = weightError(g, quantizeMatrix(g, n, 512, { ...spec, method: 'search' })).relFrobenius;
        return 1 - search / rtn;
      };
      expect(gain(3)).toBeGreaterThan(0.04);
      expect(gain(2)).toBeGreaterThan(0.1);
    }
  });

  it('puts more error at fewer bits', () => {
    const errs = ([8, 4, 3, 2] as const).map(
      (bits) => weightError(w, quantizeMatrix(w, n, k, { bits, blockSize: 64, symmetric: false, method: 'search' })).relFrobenius,
    );
    for (let i = 1; i < errs.length; i++) expect(errs[i]).toBeGreaterThan(errs[i - 1] * 1.5);
  });
});
