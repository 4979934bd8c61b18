import { LoraStepRunner, type TrainingBatch } from '../engine/lora-step.runner';
import { packSequences, padSequence, toTrainingBatches, type LabelledSequence } from '../sft/sequence-packing';
import { initLoraParameters, LORA_TARGETS, seededRandom, type LoraOptions } from '../lora/lora.options';
import { randomCheckpoint, referenceLoss } from '../testing/training-fixtures';
import { IGNORE_INDEX } from './training-losses';

// Each test builds and runs ONNX Runtime sessions; on two shared cores one can pass the 5 s default.
jest.setTimeout(30_000);

const LORA: LoraOptions = { rank: 4, alpha: 8, targets: LORA_TARGETS };
const S = 12;

function example(vocab: number, length: number, prompt: number, seed: number): LabelledSequence {
  const rand = seededRandom(seed);
  const inputIds = Array.from({ length }, () => Math.floor(rand() * vocab));
  return { inputIds, labels: inputIds.map((_, t) => (t < prompt || t === length - 1 ? IGNORE_INDEX : inputIds[t + 1])) };
}

describe('sequence packing in the training graph', () => {
  const ckpt = randomCheckpoint({ arch: 'mixtral', layers: 2, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 8 });
  afterAll(() => ckpt.close());
  const examples = [example(300, 5, 2, 1), example(300, 6, 3, 2)];

  it('packs first fit in order, restarting positions and numbering segments', () => {
    const rows = packSequences([...examples, example(300, 4, 1, 3)], S);
    expect(rows).toHaveLength(2);
    expect(rows[0].segmentIds).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0]);
    expect(rows[0].positionIds).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 0]);
    expect(rows[0].labels[11]).toBe(IGNORE_INDEX);
    expect(rows[1].segmentIds).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => packSequences([example(300, 13, 1, 4)], S)).toThrow(/more than the sequence length 12/);
    const batches = toTrainingBatches(rows, 3);
    expect(batches).toHaveLength(1);
    expect(batches[0].labels.slice(2 * S).every((l) => l === IGNORE_INDEX)).toBe(true);
  });

  it('a packed row gives the same loss and gradients as its examples run separately, and the reference loss', async () => {
    const packed = toTrainingBatches(packSequences(examples, S), 1)[0];
    const separate: TrainingBatch = toTrainingBatches(examples.map((e) => padSequence(e, S)), 2)[0];
    const one = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: 1, seqLen: S });
    const two = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: 2, seqLen: S });
    try {
      const values = initLoraParameters(one.params, 5);
      const rand = seededRandom(6);
      for (const p of one.params) if (p.half === 'B') values.get(p.name)!.forEach((_, i, a) => (a[i] = (rand() - 0.5) * 0.2));
      const a = await one.step(packed, values);
      const b = await two.step(separate, values);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
      let worst = 0;
      for (const p of one.params) {
        const ga = a.grads.get(p.name)!;
        const gb = b.grads.get(p.name)!;
        const scale = Math.max(1e-6, ...Array.from(gb, Math.abs));
        for (let i = 0; i < ga.length; i++) worst = Math.max(worst, Math.abs(ga[i] - gb[i]) / scale);
      }
      expect(worst).toBeLessThan(1e-4);
      // Without LoRA's contribution (B = 0) the graph is the base model: its loss is the reference's.
      const zero = initLoraParameters(one.params, 5);
      const base = await one.step(packed, zero);
      expect(Math.abs(base.loss - (await referenceLoss(ckpt.config, ckpt, packed, S)))).toBeLessThan(1e-4);
    } finally {
      await one.dispose();
      await two.dispose();
    }
  });
});
