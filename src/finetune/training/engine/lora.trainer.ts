import { AdamWOptimizer, type AdamWOptions } from '../optim/adamw.optimizer';
import { clipByGlobalNorm, cosineLr } from '../optim/lr-schedule';
import { TrainingOptionsError } from '../training.errors';
import { mulberry32 } from '../../../moe';
import type { StepResult, TrainingBatch } from './lora-step.runner';

/** Anything that computes loss and LoRA gradients for a batch: the ONNX Runtime runner or the tfjs reference. */
export interface GradientEngine {
  step(batch: TrainingBatch, values: ReadonlyMap<string, Float32Array>): Promise<StepResult> | StepResult;
}

export interface TrainerOptions {
  /** Optimizer updates to run. */
  steps: number;
  /** Micro-batches whose gradients are averaged into one update. */
  accumulation?: number;
  peakLr: number;
  warmupSteps?: number;
  minLrRatio?: number;
  /** Global-norm clip; undefined or 0 turns clipping off. */
  maxGradNorm?: number;
  adamw?: AdamWOptions;
  /** Seeds the LoRA dropout masks: micro-batch i gets a seed drawn from (seed, i) unless it carries its own. */
  seed?: number;
}

export interface StepRecord {
  step: number;
  /** Mean loss over the update's micro-batches. */
  loss: number;
  lr: number;
  gradNorm: number;
  /** Mean load-balancing loss over the update's micro-batches, when the engine reports it. */
  auxLoss?: number;
}

/**
 * The training loop over a gradient engine: accumulation, clipping, cosine schedule and AdamW on the
 * LoRA tensors held in `values` (updated in place). Deterministic for the same engine, batches and
 * starting values: nothing here draws random numbers.
 */
export class LoraTrainer {
  private readonly optimizer: AdamWOptimizer;

  constructor(
    private readonly engine: GradientEngine,
    private readonly options: TrainerOptions,
  ) {
    const accumulation = options.accumulation ?? 1;
    if (!Number.isInteger(options.steps) || options.steps < 1) throw new TrainingOptionsError(`steps must be a positive integer, got ${options.steps}`);
    if (!Number.isInteger(accumulation) || accumulation < 1) throw new TrainingOptionsError(`gradient accumulation must be a positive integer, got ${accumulation}`);
    if (!(options.peakLr > 0)) throw new TrainingOptionsError(`learning rate must be positive, got ${options.peakLr}`);
    this.optimizer = new AdamWOptimizer(options.adamw);
  }

  /** Runs every update; `nextBatch(i)` gives micro-batch i (0, 1, 2, ... across updates). */
  async train(
    values: Map<string, Float32Array>,
    nextBatch: (microStep: number) => TrainingBatch,
    onStep?: (record: StepRecord) => void,
  ): Promise<StepRecord[]> {
    const accumulation = this.options.accumulation ?? 1;
    const history: StepRecord[] = [];
    let micro = 0;
    for (let step = 0; step < this.options.steps; step++) {
      const sum = new Map<string, Float32Array>();
      let lossSum = 0;
      let auxSum: number | undefined;
      for (let k = 0; k < accumulation; k++) {
        const batch = nextBatch(micro);
        const seeded = batch.dropoutSeed === undefined ? { ...batch, dropoutSeed: dropoutSeed(this.options.seed ?? 0, micro) } : batch;
        micro++;
        const { loss, auxLoss, grads } = await this.engine.step(seeded, values);
        lossSum += loss;
        if (auxLoss !== undefined) auxSum = (auxSum ?? 0) + auxLoss;
        for (const [name, g] of grads) {
          const acc = sum.get(name);
          if (!acc) sum.set(name, Float32Array.from(g));
          else for (let i = 0; i < g.length; i++) acc[i] += g[i];
        }
      }
      if (accumulation > 1) for (const g of sum.values()) for (let i = 0; i < g.length; i++) g[i] /= accumulation;
      const gradNorm = this.options.maxGradNorm ? clipByGlobalNorm(sum, this.options.maxGradNorm) : globalNorm(sum);
      const lr = cosineLr(
        { peakLr: this.options.peakLr, warmupSteps: this.options.warmupSteps ?? 0, totalSteps: this.options.steps, minRatio: this.options.minLrRatio },
        step,
      );
      this.optimizer.step(values, sum, lr);
      const record: StepRecord = { step, loss: lossSum / accumulation, lr, gradNorm };
      if (auxSum !== undefined) record.auxLoss = auxSum / accumulation;
      history.push(record);
      onStep?.(record);
    }
    return history;
  }
}

/** A per-micro-batch seed in [0, 2³¹), the same for the same (seed, index). */
function dropoutSeed(seed: number, micro: number): number {
  return Math.floor(mulberry32((seed * 1000003 + micro) >>> 0)() * 2 ** 31);
}

function globalNorm(grads: ReadonlyMap<string, Float32Array>): number {
  let sq = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  return Math.sqrt(sq);
}
