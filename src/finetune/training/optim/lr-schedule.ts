import { TrainingOptionsError } from '../training.errors';

export interface CosineSchedule {
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor the cosine decays to, as a fraction of peakLr (default 0). */
  minRatio?: number;
}

/**
 * Linear warmup to peakLr over warmupSteps (the first update at peakLr/(warmup+1), not a wasted 0), then half a cosine down to minRatio·peakLr at
 * totalSteps (Hugging Face's get_cosine_schedule_with_warmup). `step` counts optimizer updates from 0.
 */
export function cosineLr(s: CosineSchedule, step: number): number {
  if (!(s.peakLr > 0)) throw new TrainingOptionsError(`learning rate must be positive, got ${s.peakLr}`);
  if (!(s.totalSteps >= 1) || !(s.warmupSteps >= 0) || s.warmupSteps > s.totalSteps) {
    throw new TrainingOptionsError(`need 0 <= warmup steps (${s.warmupSteps}) <= total steps (${s.totalSteps}), total >= 1`);
  }
  if (step < s.warmupSteps) return (s.peakLr * (step + 1)) / (s.warmupSteps + 1);
  const progress = Math.min(1, (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps));
  const floor = s.minRatio ?? 0;
  return s.peakLr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/**
 * Scales every gradient by min(1, maxNorm / ‖g‖) with ‖g‖ the global L2 norm over all tensors, in
 * place; returns the norm before clipping (the figure worth logging).
 */
export function clipByGlobalNorm(grads: ReadonlyMap<string, Float32Array>, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new TrainingOptionsError(`gradient clipping norm must be positive, got ${maxNorm}`);
  let sq = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i] *= scale;
  }
  return norm;
}
