import { packSequences, toTrainingBatches } from '../sft/sequence-packing';
import { IGNORE_INDEX } from '../graph/training-losses';
import { initLoraParameters, LORA_TARGETS, seededRandom, type LoraOptions } from '../lora/lora.options';
import { randomCheckpoint } from '../testing/training-fixtures';
import { TrainingOptionsError } from '../training.errors';
import { LoraStepRunner } from './lora-step.runner';
import { TfjsStepEngine, tfjsEngineLimits } from './tfjs-step.engine';

jest.setTimeout(30_000);

const LORA: LoraOptions = { rank: 4, alpha: 8, targets: LORA_TARGETS };
const SHAPE = { layers: 2, hidden: 32, intermediate: 24, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 5 } as const;
const [B, S] = [2, 12];

describe('TensorFlow.js training engine', () => {
  const ckpt = randomCheckpoint({ arch: 'mixtral', ...SHAPE });
  afterAll(() => ckpt.close());

  it('computes the ONNX Runtime engine\'s loss, aux loss and LoRA gradients on packed rows, with the checkpoint closed', async () => {
    // Three examples packed into two rows: positions restart and attention stays inside each example.
    const rand = seededRandom(9);
    const example = (n: number) => {
      const inputIds = Array.from({ length: n }, () => 3 + Math.floor(rand() * (SHAPE.vocab - 3)));
      return { inputIds, labels: inputIds.map((_, i) => (i < 2 || i === n - 1 ? IGNORE_INDEX : inputIds[i + 1])) };
    };
    const [batch] = toTrainingBatches(packSequences([example(7), example(5), example(9)], S), B, 0);
    expect(new Set(batch.segmentIds).size).toBeGreaterThan(2);
    const other = randomCheckpoint({ arch: 'mixtral', ...SHAPE });
    const tfjs = await TfjsStepEngine.create(other.config, other.weights, { lora: LORA, batch: B, seqLen: S });
    other.close();
    const ort = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S });
    try {
      expect(tfjs.params.map((p) => p.name)).toEqual(ort.params.map((p) => p.name));
      expect(tfjs.backend).toBe('cpu');
      const values = initLoraParameters(ort.params, 3);
      const r = seededRandom(4);
      for (const p of ort.params) if (p.half === 'B') values.get(p.name)!.forEach((_, i, a) => (a[i] = (r() - 0.5) * 0.2));
      const a = await ort.step(batch, values);
      const b = tfjs.step(batch, values);
      expect(Math.abs(a.loss - b.loss) / a.loss).toBeLessThan(1e-5);
      expect(Math.abs(a.auxLoss! - b.auxLoss!)).toBeLessThan(1e-5);
      for (const p of ort.params) {
        const [x, y] = [a.grads.get(p.name)!, b.grads.get(p.name)!];
        const scale = Math.max(...Array.from(x, Math.abs), 1e-12);
        const worst = Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i])));
        expect(worst / scale).toBeLessThan(1e-4);
      }
      // Without the packing (one segment, positions 0..S-1) the loss is elsewhere: the check can fail.
      const unpacked = tfjs.step({ inputIds: batch.inputIds, labels: batch.labels }, values);
      expect(Math.abs(unpacked.loss - a.loss)).toBeGreaterThan(1e-3);
    } finally {
      await ort.dispose();
      await tfjs.dispose();
    }
  });

  it('refuses, with the reason, what it does not cover', async () => {
    const qwen = randomCheckpoint({ arch: 'qwen2_moe', ...SHAPE });
    try {
      expect(tfjsEngineLimits(qwen.config, { lora: LORA }).join()).toMatch(/Mixtral-style models only; this model has q\/k\/v biases, a shared expert/);
      await expect(TfjsStepEngine.create(qwen.config, qwen.weights, { lora: LORA, batch: B, seqLen: S })).rejects.toThrow(TrainingOptionsError);
    } finally {
      qwen.close();
    }
    expect(tfjsEngineLimits(ckpt.config, { lora: { ...LORA, dropout: 0.1 } }).join()).toMatch(/no LoRA dropout/);
    expect(tfjsEngineLimits(ckpt.config, { lora: LORA, base: 'router' }).join()).toMatch(/router frozen/);
    expect(tfjsEngineLimits(ckpt.config, { lora: LORA })).toEqual([]);
    // Size: a step the pure-JS backend would take minutes over is refused before anything is built.
    await expect(TfjsStepEngine.create(ckpt.config, ckpt.weights, { lora: LORA, batch: 256, seqLen: 32_768 })).rejects.toThrow(/would take about \d+ s; the limit is 60 s/);
  });
});
