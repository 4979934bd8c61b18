import { quantizeMatrix } from './matrix.quantizer';
import { errorBetween, formatQualityTable, qualityTable, storedBitsPerWeight } from './quality-report';
import { gaussianMatrix, seededRandom } from './quantize.test-utils';

describe('quantization quality report', () => {
  it('measures relative Frobenius and max abs error', () => {
    const a = Float32Array.of(3, 4, 0, 0);
    const e = errorBetween(a, Float32Array.of(3, 4, 0.5, 0));
    expect(e.relFrobenius).toBeCloseTo(0.1, 10); // ‖(0,0,0.5,0)‖ / ‖(3,4,0,0)‖
    expect(e.maxAbs).toBe(0.5);
    expect(e.rmse).toBeCloseTo(0.25, 10);
  });

  it('counts stored bits per weight with scales and zero points', () => {
    const w = gaussianMatrix(8, 128, seededRandom(1), 0.02);
    // 4-bit g32: 4 code bits + 32/32 scale bits + 4/32 zero point bits.
    expect(storedBitsPerWeight(quantizeMatrix(w, 8, 128, { bits: 4, blockSize: 32, symmetric: false, method: 'rtn' }))).toBeCloseTo(
      5.125,
      10,
    );
    expect(storedBitsPerWeight(quantizeMatrix(w, 8, 128, { bits: 3, blockSize: 128, symmetric: true, method: 'rtn' }))).toBeCloseTo(
      3.25,
      10,
    );
  });

  it('prints one row per mode, errors ordered by bit width', () => {
    const w = gaussianMatrix(16, 256, seededRandom(2), 0.02);
    const specs = ([8, 4, 3, 2] as const).map((bits) => ({ bits, blockSize: 64, symmetric: false, method: 'search' as const }));
    const rows = qualityTable(w, 16, 256, specs);
    expect(rows.map((r) => r.spec.bits)).toEqual([8, 4, 3, 2]);
    for (let i = 1; i < rows.length; i++) expect(rows[i].relFrobenius).toBeGreaterThan(rows[i - 1].relFrobenius);
    const text = formatQualityTable('layers.0.q_proj', rows);
    expect(text.split('\n')).toHaveLength(6); // name, header, 4 rows
    expect(text).toContain('int3 g64 asym search');
    expect(text).toMatch(/4\.56 +0\.0\d{4}/); // int4 g64 asym: 4 + 0.5 + 4/64 bpw, error around 9%
  });
});
