import { dequantizeMatrix } from './quantized-matrix';
import { quantizeMatrix } from './matrix.quantizer';
import type { QuantizedMatrix, QuantSpec } from './quantize.types';

export interface WeightError {
  /** ‖W − Ŵ‖_F / ‖W‖_F. */
  relFrobenius: number;
  maxAbs: number;
  rmse: number;
}

export interface QualityRow extends WeightError {
  spec: QuantSpec;
  /** Stored bits per weight including float32 scales and packed zero points (padding counted). */
  bitsPerWeight: number;
}

/** Bits per weight a quantized matrix really occupies, codes plus scales and zero points. */
export function storedBitsPerWeight(q: QuantizedMatrix): number {
  const bytes = q.data.length + q.scales.length * 4 + (q.zeroPoints?.length ?? 0);
  return (bytes * 8) / (q.n * q.k);
}

/** Error of the dequantized matrix against the original [N, K] weights. */
export function weightError(original: Float32Array, q: QuantizedMatrix): WeightError {
  const d = dequantizeMatrix(q);
  return errorBetween(original, d);
}

export function errorBetween(original: Float32Array, approx: Float32Array): WeightError {
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  for (let i = 0; i < original.length; i++) {
    const e = original[i] - approx[i];
    num += e * e;
    den += original[i] * original[i];
    const a = e < 0 ? -e : e;
    if (a > maxAbs) maxAbs = a;
  }
  return {
    relFrobenius: den > 0 ? Math.sqrt(num / den) : Math.sqrt(num),
    maxAbs,
    rmse: Math.sqrt(num / Math.max(1, original.length)),
  };
}

/** Quantizes one weight in every given mode and measures each, for the import's quality table. */
export function qualityTable(data: Float32Array, n: number, k: number, specs: readonly QuantSpec[]): QualityRow[] {
  return specs.map((spec) => {
    const q = quantizeMatrix(data, n, k, spec);
    return { spec, ...weightError(data, q), bitsPerWeight: storedBitsPerWeight(q) };
  });
}

/** Plain-text table, one row per mode. */
export function formatQualityTable(name: string, rows: readonly QualityRow[]): string {
  const header = `${name}\n  mode                     bpw    rel.frob   max|err|`;
  const lines = rows.map((r) => {
    const s = r.spec;
    const mode = `int${s.bits} g${s.blockSize} ${s.symmetric ? 'sym ' : 'asym'} ${s.method}`;
    return `  ${mode.padEnd(24)} ${r.bitsPerWeight.toFixed(2).padStart(5)}  ${r.relFrobenius.toFixed(5).padStart(9)}  ${r.maxAbs.toExponential(2).padStart(9)}`;
  });
  return [header, ...lines].join('\n');
}

interface ClassTotals {
  cls: string;
  bits: number;
  params: number;
  errSq: number;
  refSq: number;
  maxAbs: number;
}

export interface ClassQualityRow {
  cls: string;
  bits: number;
  params: number;
  relFrobenius: number;
  maxAbs: number;
}

/**
 * Weight error summed per (tensor class, bit width) while a model is quantized tensor by tensor,
 * so an import can print one table at the end without keeping any weight.
 */
export class QualityAccumulator {
  private readonly totals = new Map<string, ClassTotals>();

  add(cls: string, bits: number, original: Float32Array, q: QuantizedMatrix): void {
    const d = dequantizeMatrix(q);
    const key = `${cls}/${bits}`;
    let t = this.totals.get(key);
    if (!t) this.totals.set(key, (t = { cls, bits, params: 0, errSq: 0, refSq: 0, maxAbs: 0 }));
    let errSq = 0;
    let refSq = 0;
    let maxAbs = t.maxAbs;
    for (let i = 0; i < original.length; i++) {
      const e = original[i] - d[i];
      errSq += e * e;
      refSq += original[i] * original[i];
      const a = e < 0 ? -e : e;
      if (a > maxAbs) maxAbs = a;
    }
    t.params += original.length;
    t.errSq += errSq;
    t.refSq += refSq;
    t.maxAbs = maxAbs;
  }

  rows(): ClassQualityRow[] {
    return [...this.totals.values()].map((t) => ({
      cls: t.cls,
      bits: t.bits,
      params: t.params,
      relFrobenius: t.refSq > 0 ? Math.sqrt(t.errSq / t.refSq) : Math.sqrt(t.errSq),
      maxAbs: t.maxAbs,
    }));
  }

  format(): string {
    const lines = this.rows().map(
      (r) =>
        `  ${r.cls.padEnd(16)} ${`int${r.bits}`.padEnd(5)} ${(r.params / 1e6).toFixed(2).padStart(9)}M  ` +
        `${r.relFrobenius.toFixed(5).padStart(9)}  ${r.maxAbs.toExponential(2).padStart(9)}`,
    );
    return ['  class            bits      params   rel.frob   max|err|', ...lines].join('\n');
  }
}
