import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRandomCheckpoint, mulberry32, openCheckpoint } from '../../moe';
import { IGNORE_INDEX, initLoraParameters, LoraStepRunner, LoraTrainer } from '../training';
import type { CountedBatch } from './batches';
import { runLoraLoop } from './lora-run.loop';
import { loadCheckpoint, saveCheckpoint, type TrainingState } from './run-checkpoint';
import { resolveRunParams } from './run-params';
import type { RunStep } from './run.record';

const [B, S, VOCAB] = [2, 8, 300];

function randomBatch(seed: number): CountedBatch {
  const rand = mulberry32(seed);
  const inputIds = Array.from({ length: B * S }, () => Math.floor(rand() * VOCAB));
  const labels = inputIds.map((_, i) => (i % S < 2 ? IGNORE_INDEX : Math.floor(rand() * VOCAB)));
  return { inputIds, labels, tokens: B * S, labelled: labels.filter((l) => l !== IGNORE_INDEX).length };
}

describe('the run loop', () => {
  let dir: string;
  let runner: LoraStepRunner;
  const batches = [randomBatch(1), randomBatch(2), randomBatch(3)];
  const nextBatch = (micro: number) => batches[micro % batches.length];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-loop-'));
    createRandomCheckpoint(path.join(dir, 'base'), { arch: 'mixtral', layers: 1, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: VOCAB, seed: 1 });
    const ckpt = openCheckpoint(path.join(dir, 'base'));
    runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: { rank: 4, alpha: 8, targets: ['q_proj', 'v_proj', 'gate_proj', 'down_proj'], dropout: 0.1 }, batch: B, seqLen: S });
    ckpt.close();
  });
  afterAll(async () => {
    await runner.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const params = resolveRunParams({ steps: 12, learningRate: 1e-2, warmupSteps: 2, weightDecay: 0.01, checkpointEvery: 4, accumulation: 1 });
  const fresh = (): TrainingState => ({ step: 0, values: initLoraParameters(runner.params, 9), optimizer: { step: 0, m: new Map(), v: new Map() }, bestValLoss: null, bestStep: null, badEvals: 0, best: null });
  const hooks = (steps: RunStep[], signal = new AbortController().signal, checkpointDir?: string) => ({
    signal,
    onStep: async (s: RunStep) => void steps.push(s),
    onCheckpoint: async (state: TrainingState) => void (checkpointDir && saveCheckpoint(checkpointDir, state)),
  });

  it('takes the same steps as LoraTrainer (LoRA dropout masks included), and a run stopped and resumed from its checkpoint continues them exactly', async () => {
    const reference = await new LoraTrainer(runner, { steps: 12, peakLr: 1e-2, warmupSteps: 2, maxGradNorm: 1, adamw: { weightDecay: 0.01 }, seed: params.seed }).train(initLoraParameters(runner.params, 9), nextBatch);
    const straight: RunStep[] = [];
    expect(await runLoraLoop(runner, params, fresh(), nextBatch, [], hooks(straight))).toBe('completed');
    expect(straight.map((s) => s.loss)).toEqual(reference.map((r) => r.loss));
    expect(straight.map((s) => s.lr)).toEqual(reference.map((r) => r.lr));

    const ckptDir = path.join(dir, 'run');
    const first: RunStep[] = [];
    const stop = new AbortController();
    const h = hooks(first, stop.signal, ckptDir);
    const end = await runLoraLoop(runner, params, fresh(), nextBatch, [], { ...h, onStep: async (s) => { first.push(s); if (s.step === 6) stop.abort(); } });
    expect(end).toBe('aborted');
    const saved = loadCheckpoint(ckptDir)!;
    expect(saved.step).toBe(6);
    expect(saved.optimizer.step).toBe(6);
    const rest: RunStep[] = [];
    expect(await runLoraLoop(runner, params, saved, nextBatch, [], hooks(rest, undefined, ckptDir))).toBe('completed');
    expect([...first, ...rest].map((s) => [s.step, s.loss])).toEqual(straight.map((s) => [s.step, s.loss]));
  });

  it('stops early when the validation loss stops improving, keeping the best values', async () => {
    // Overfitting one batch with a high learning rate makes the loss on unrelated labels rise.
    const overfit = resolveRunParams({ steps: 60, learningRate: 5e-2, warmupSteps: 0, evalEvery: 1, patience: 3, checkpointEvery: 100 });
    const steps: RunStep[] = [];
    const state = fresh();
    const end = await runLoraLoop(runner, overfit, state, () => batches[0], [randomBatch(7), randomBatch(8)], hooks(steps));
    expect(end).toBe('early-stopped');
    expect(state.step).toBeLessThan(60);
    const vals = steps.map((s) => s.valLoss!);
    const best = Math.min(...vals);
    expect(state.bestValLoss).toBe(best);
    expect(state.bestStep).toBe(steps[vals.indexOf(best)].step);
    expect(state.step - state.bestStep!).toBe(3);
    expect(state.best).not.toBeNull();
  });
});
