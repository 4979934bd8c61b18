import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint, type OpenedCheckpoint } from '../../../moe/checkpoint/checkpoint.loader';
import { createRandomCheckpoint } from '../../../moe/random/random-checkpoint';
import { LoraStepRunner, type TrainingBatch } from '../engine/lora-step.runner';
import { TfjsLoraReference } from '../reference/lora-reference.tfjs';
import { TrainingOptionsError } from '../training.errors';
import { buildTrainingGraph as buildLoraTrainingGraph } from './training-graph.builder';
import { IGNORE_INDEX } from './training-losses';
import { initLoraParameters, LORA_TARGETS, loraParameters, seededRandom, type LoraOptions } from '../lora/lora.options';

// Each test builds and runs ONNX Runtime sessions; on two shared cores one can pass the 5 s default.
jest.setTimeout(30_000);

const LORA: LoraOptions = { rank: 4, alpha: 8, targets: LORA_TARGETS };
const [B, S] = [2, 8];
/** Relative to the largest gradient of each tensor; float32 through different op orders agrees to ~1e-6. */
const GRAD_TOLERANCE = 1e-4;

function batch(vocab: number, seed: number): TrainingBatch {
  const rand = seededRandom(seed);
  const inputIds = Array.from({ length: B * S }, () => Math.floor(rand() * vocab));
  // The first three positions of each row are the prompt: masked out of the loss.
  const labels = inputIds.map((_, i) => (i % S < 3 ? IGNORE_INDEX : Math.floor(rand() * vocab)));
  return { inputIds, labels };
}

/** Non-zero B as well as A, so every gradient (A's included) is exercised. */
function nonZeroLora(ckpt: OpenedCheckpoint): Map<string, Float32Array> {
  const params = loraParameters(ckpt.config, LORA);
  const values = initLoraParameters(params, 7);
  const rand = seededRandom(11);
  for (const p of params) if (p.half === 'B') values.get(p.name)!.forEach((_, i, a) => (a[i] = (rand() - 0.5) * 0.2));
  return values;
}

function worstRelative(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / Math.max(scale, 1e-12);
}

describe('LoRA training graph', () => {
  let dir: string;
  let ckpt: OpenedCheckpoint;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-lora-'));
    createRandomCheckpoint(dir, { arch: 'mixtral', layers: 2, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 3 });
    ckpt = openCheckpoint(dir);
  });
  afterAll(() => {
    ckpt.weights.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['dense', 'sparse'] as const)('%s experts: loss and every LoRA gradient agree with TensorFlow.js autodiff', async (experts) => {
    const values = nonZeroLora(ckpt);
    const data = batch(ckpt.config.vocabSize, 5);
    const runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S, experts });
    const reference = new TfjsLoraReference(ckpt.config, ckpt.weights, LORA, runner.params, B, S);
    try {
      const ours = await runner.step(data, values);
      const theirs = reference.step(data, values);
      expect(Math.abs(ours.loss - theirs.loss) / theirs.loss).toBeLessThan(1e-5);
      expect(runner.params).toHaveLength(2 * 2 * (4 + 4 * 3));
      const errors = runner.params.map((p) => {
        const g = theirs.grads.get(p.name)!;
        expect(g.some((v) => v !== 0)).toBe(true);
        return { name: p.name, error: worstRelative(ours.grads.get(p.name)!, g) };
      });
      if (process.env.ZHIKU_PRINT_GRAD_ERRORS) console.log(experts, ours.loss, theirs.loss, Math.max(...errors.map((e) => e.error)));
      expect(errors.filter((e) => !(e.error < GRAD_TOLERANCE))).toEqual([]);
    } finally {
      reference.dispose();
      await runner.dispose();
    }
  });

  it('starts at the base model: zero B gives zero gradients for every A', async () => {
    const params = loraParameters(ckpt.config, { ...LORA, targets: ['q_proj', 'down_proj'] });
    const values = initLoraParameters(params, 1);
    const runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: { ...LORA, targets: ['q_proj', 'down_proj'] }, batch: B, seqLen: S });
    try {
      const { grads } = await runner.step(batch(ckpt.config.vocabSize, 9), values);
      for (const p of params) expect(grads.get(p.name)!.some((v) => v !== 0)).toBe(p.half === 'B');
    } finally {
      await runner.dispose();
    }
  });

  it('refuses out-of-range options and an empty trained set', () => {
    const build = (o: Partial<Parameters<typeof buildLoraTrainingGraph>[2]>) => () => buildLoraTrainingGraph(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S, ...o });
    expect(build({ lora: { ...LORA, rank: 0 } })).toThrow(/rank must be a positive integer/);
    expect(build({ lora: { ...LORA, targets: ['w9' as never] } })).toThrow(TrainingOptionsError);
    expect(build({ lora: { ...LORA, dropout: 1 } })).toThrow(/dropout must be in \[0, 1\)/);
    expect(build({ lora: null })).toThrow(/nothing to train/);
    expect(build({ base: 'router', routerAuxLossCoef: -1 })).toThrow(/coefficient/);
    expect(build({ batch: 0 })).toThrow(/positive integers/);
  });
});
