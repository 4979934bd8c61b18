/** Deterministic weight distributions for the quantizer's specs and benchmark. */
import { mulberry32 } from '../random/seeded-random';

/** mulberry32: a small seeded PRNG, so failures reproduce. */
export const seededRandom = mulberry32;

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function gaussianMatrix(n: number, k: number, rand: () => number, std: number): Float32Array {
  const out = new Float32Array(n * k);
  for (let i = 0; i < out.length; i++) out[i] = gaussian(rand) * std;
  return out;
}

/**
 * Heavy-tailed weights like trained LLM projections: Student-t with 4 degrees of freedom (kurtosis
 * far above a gaussian's), plus a few outlier input channels scaled up 8x as LLM.int8() observed.
 */
export function heavyTailedMatrix(n: number, k: number, rand: () => number, std: number): Float32Array {
  const out = new Float32Array(n * k);
  const nu = 4;
  const outlier = new Uint8Array(k);
  for (let c = 0; c < k; c++) outlier[c] = rand() < 0.01 ? 1 : 0;
  for (let r = 0; r < n; r++)
    for (let c = 0; c < k; c++) {
      let chi2 = 0;
      for (let i = 0; i < nu; i++) chi2 += gaussian(rand) ** 2;
      const t = gaussian(rand) / Math.sqrt(chi2 / nu);
      out[r * k + c] = t * std * Math.SQRT1_2 * (outlier[c] ? 8 : 1);
    }
  return out;
}
