import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint, type OpenedCheckpoint } from '../../../moe/checkpoint/checkpoint.loader';
import { createRandomCheckpoint } from '../../../moe/random/random-checkpoint';
import { IGNORE_INDEX } from '../graph/training-losses';
import { initLoraParameters, seededRandom, type LoraOptions } from '../lora/lora.options';
import { TrainingOptionsError } from '../training.errors';
import { LoraStepRunner, type TrainingBatch } from './lora-step.runner';
import { LoraTrainer, type TrainerOptions } from './lora.trainer';

// Each test builds and runs ONNX Runtime sessions; on two shared cores one can pass the 5 s default.
jest.setTimeout(30_000);

const LORA: LoraOptions = { rank: 4, alpha: 8, targets: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] };
const [B, S] = [2, 8];

describe('LoraTrainer on ONNX Runtime', () => {
  let dir: string;
  let ckpt: OpenedCheckpoint;
  let runner: LoraStepRunner;
  let fixed: TrainingBatch;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-trainer-'));
    createRandomCheckpoint(dir, { arch: 'mixtral', layers: 1, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 1 });
    ckpt = openCheckpoint(dir);
    runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S });
    const rand = seededRandom(2);
    const ids = Array.from({ length: B * S }, () => Math.floor(rand() * 300));
    fixed = { inputIds: ids, labels: ids.map((_, i) => (i % S < 2 ? IGNORE_INDEX : ids[(i + 1) % (B * S)])) };
  });
  afterAll(async () => {
    await runner.dispose();
    ckpt.weights.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const options: TrainerOptions = { steps: 30, peakLr: 2e-2, warmupSteps: 3, maxGradNorm: 1, adamw: { weightDecay: 0.01 } };
  const run = async (o: TrainerOptions) => {
    const values = initLoraParameters(runner.params, 42);
    return new LoraTrainer(runner, o).train(values, () => fixed);
  };

  it('overfits a fixed batch: the loss falls well below its start, deterministically', async () => {
    const first = await run(options);
    const start = first[0].loss;
    const end = first[first.length - 1].loss;
    if (process.env.ZHIKU_PRINT_LOSS) console.log(start, end);
    expect(end).toBeLessThan(0.5 * start);
    const second = await run(options);
    expect(second.map((r) => r.loss)).toEqual(first.map((r) => r.loss));
  });

  it('accumulating two copies of a batch takes the same steps as the batch alone', async () => {
    const plain = await run({ ...options, steps: 4 });
    const accumulated = await run({ ...options, steps: 4, accumulation: 2 });
    accumulated.forEach((r, i) => {
      expect(r.loss).toBeCloseTo(plain[i].loss, 5);
      expect(r.gradNorm).toBeCloseTo(plain[i].gradNorm, 4);
    });
  });

  it('refuses zero steps and fractional accumulation', () => {
    expect(() => new LoraTrainer(runner, { ...options, steps: 0 })).toThrow(TrainingOptionsError);
    expect(() => new LoraTrainer(runner, { ...options, accumulation: 1.5 })).toThrow(/accumulation/);
  });
});
