import { quantizeMatrix } from './matrix.quantizer';
import { QualityAccumulator, errorBetween, formatQualityTable, qualityTable, storedBitsPerWeight, weightError } from './quality-report';
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

  it('accumulates error per class and width across tensors, as an import prints it', () => {
    const acc = new QualityAccumulator();
    const spec = { bits: 2, blockSize: 32, symmetric: false, method: 'search' } as const;
    const a = gaussianMatrix(8, 64, seededRandom(3), 0.02);
    const b = gaussianMatrix(8, 64, seededRandom(4), 0.05);
    const qa = quantizeMatrix(a, 8, 64, spec);
    const qb = quantizeMatrix(b, 8, 64, spec);
    acc.add('expert_gate_up', 2, a, qa);
    acc.add('expert_gate_up', 2, b, qb);
    acc.add('attention', 8, a, quantizeMatrix(a, 8, 64, { ...spec, bits: 8 }));
    const rows = acc.rows();
    expect(rows.map((r) => [r.cls, r.bits, r.params])).toEqual([
      ['expert_gate_up', 2, 1024],
      ['attention', 8, 512],
    ]);
    // Pooled: sqrt((Σe²_a + Σe²_b) / (Σw²_a + Σw²_b)), between the two tensors' own errors.
    const [ea, eb] = [weightError(a, qa).relFrobenius, weightError(b, qb).relFrobenius];
    expect(rows[0].relFrobenius).toBeGreaterThanOrEqual(Math.min(ea, eb));
    expect(rows[0].relFrobenius).toBeLessThanOrEqual(Math.max(ea, eb));
    expect(rows[0].maxAbs).toBe(Math.max(weightError(a, qa).maxAbs, weightError(b, qb).maxAbs));
    expect(acc.format()).toContain('expert_gate_up   int2');
  });
});
