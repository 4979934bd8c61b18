import { mulberry32 } from '../../moe';
import { AdamWOptimizer, clipByGlobalNorm, cosineLr, type StepOptions, type StepResult, type TrainingBatch } from '../training';
import type { CountedBatch } from './batches';
import type { RunParams } from './run-params';
import type { TrainingState } from './run-checkpoint';
import type { RunStep } from './run.record';

/** The ONNX Runtime step runner, or anything with its step (evaluation turns LoRA dropout off). */
export interface StepEngine {
  step(batch: TrainingBatch, values: ReadonlyMap<string, Float32Array>, options?: StepOptions): Promise<StepResult> | StepResult;
}

export interface LoopHooks {
  /** After every optimizer step (persist it, stream it). */
  onStep(step: RunStep, state: TrainingState): Promise<void>;
  /** Every `checkpointEvery` steps, and once more when the loop ends for any reason. */
  onCheckpoint(state: TrainingState): Promise<void>;
  signal: AbortSignal;
}

export type LoopEnd = 'completed' | 'early-stopped' | 'aborted';

/**
 * The job's training loop: LoraTrainer's step (accumulation, global-norm clipping, cosine schedule,
 * AdamW) plus what a job needs and LoraTrainer does not offer: starting from a checkpoint (step,
 * moments, the optimizer's own step count), validation loss with early stopping, periodic
 * checkpoints, and stopping at a step boundary when the signal aborts. Same schedule and update as
 * LoraTrainer for the same options, so an uninterrupted run matches it step for step.
 */
export async function runLoraLoop(
  engine: StepEngine,
  params: RunParams,
  state: TrainingState,
  nextBatch: (micro: number) => CountedBatch,
  validation: readonly CountedBatch[],
  hooks: LoopHooks,
): Promise<LoopEnd> {
  const optimizer = restoredAdamW(params, state.optimizer);
  // state() is a snapshot of the step count over the live moment maps: refresh it before state leaves the loop.
  const sync = () => (state.optimizer = optimizer.state());
  const startedAt = performance.now();
  const startStep = state.step;
  let end: LoopEnd = 'completed';
  while (state.step < params.steps) {
    if (hooks.signal.aborted) {
      end = 'aborted';
      break;
    }
    const t0 = performance.now();
    const sum = new Map<string, Float32Array>();
    let lossSum = 0;
    let auxSum: number | null = null;
    let tokens = 0;
    for (let k = 0; k < params.accumulation; k++) {
      const micro = state.step * params.accumulation + k;
      const batch = nextBatch(micro);
      tokens += batch.tokens;
      const { loss, auxLoss, grads } = await engine.step({ ...batch, dropoutSeed: dropoutSeed(params.seed, micro) }, state.values);
      lossSum += loss;
      if (auxLoss !== undefined) auxSum = (auxSum ?? 0) + auxLoss;
      for (const [name, g] of grads) {
        const acc = sum.get(name);
        if (!acc) sum.set(name, g);
        else for (let i = 0; i < g.length; i++) acc[i] += g[i];
      }
    }
    if (params.accumulation > 1) for (const g of sum.values()) for (let i = 0; i < g.length; i++) g[i] /= params.accumulation;
    if (params.maxGradNorm > 0) clipByGlobalNorm(sum, params.maxGradNorm);
    const lr = cosineLr({ peakLr: params.learningRate, warmupSteps: params.warmupSteps, totalSteps: params.steps }, state.step);
    optimizer.step(state.values, sum, lr);
    state.step++;
    const stepSeconds = (performance.now() - t0) / 1000;

    let valLoss: number | null = null;
    const lastStep = state.step === params.steps;
    if (validation.length > 0 && (state.step % params.evalEvery === 0 || lastStep)) {
      valLoss = await validationLoss(engine, state.values, validation);
      if (state.bestValLoss === null || valLoss < state.bestValLoss) {
        state.bestValLoss = valLoss;
        state.bestStep = state.step;
        state.badEvals = 0;
        state.best = copyValues(state.values);
      } else state.badEvals++;
    }
    sync();
    const perStep = (performance.now() - startedAt) / 1000 / (state.step - startStep);
    await hooks.onStep(
      { step: state.step, loss: lossSum / params.accumulation, valLoss, lr, tokensPerSecond: stepSeconds > 0 ? tokens / stepSeconds : 0, etaSeconds: perStep * (params.steps - state.step), auxLoss: auxSum === null ? null : auxSum / params.accumulation },
      state,
    );
    if (params.patience > 0 && state.badEvals >= params.patience) {
      end = 'early-stopped';
      break;
    }
    if (state.step % params.checkpointEvery === 0 && !lastStep) await hooks.onCheckpoint(state);
  }
  sync();
  await hooks.onCheckpoint(state);
  return end;
}

/** Mean loss over every labelled validation position (batches weighted by their labelled count). */
export async function validationLoss(engine: StepEngine, values: ReadonlyMap<string, Float32Array>, batches: readonly CountedBatch[]): Promise<number> {
  let total = 0;
  let count = 0;
  for (const batch of batches) {
    if (batch.labelled === 0) continue;
    const { loss } = await engine.step(batch, values, { evaluate: true });
    total += loss * batch.labelled;
    count += batch.labelled;
  }
  return count > 0 ? total / count : NaN;
}

export function copyValues(values: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  return new Map([...values].map(([k, v]) => [k, Float32Array.from(v)]));
}

/** LoraTrainer's per-micro-batch dropout seed, so both loops draw the same masks. */
function dropoutSeed(seed: number, micro: number): number {
  return Math.floor(mulberry32((seed * 1000003 + micro) >>> 0)() * 2 ** 31);
}

const RESTORE_KEY = '\u0000restore';

/**
 * AdamW with a checkpoint's moments and step count. The optimizer exposes its moment maps but not a
 * way to set its step count, so the count is advanced with zero-learning-rate steps on a one-element
 * placeholder (leaving every real tensor untouched), then the placeholder's moments are dropped.
 */
function restoredAdamW(params: RunParams, saved: TrainingState['optimizer']): AdamWOptimizer {
  const optimizer = new AdamWOptimizer({ weightDecay: params.weightDecay });
  if (saved.step > 0) {
    const placeholder = new Map([[RESTORE_KEY, new Float32Array(1)]]);
    for (let i = 0; i < saved.step; i++) optimizer.step(placeholder, placeholder, 0);
    const live = optimizer.state();
    live.m.delete(RESTORE_KEY);
    live.v.delete(RESTORE_KEY);
    for (const [k, m] of saved.m) live.m.set(k, m);
    for (const [k, v] of saved.v) live.v.set(k, v);
  }
  return optimizer;
}
