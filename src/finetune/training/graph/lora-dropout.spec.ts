import { LoraStepRunner } from '../engine/lora-step.runner';
import { LoraTrainer } from '../engine/lora.trainer';
import { initLoraParameters, seededRandom, type LoraOptions } from '../lora/lora.options';
import { expectClose, finiteDifferences, largestIndices, randomBatch, randomCheckpoint } from '../testing/training-fixtures';
import { buildTrainingGraph } from './training-graph.builder';

// Each test builds and runs ONNX Runtime sessions; on two shared cores one can pass the 5 s default.
jest.setTimeout(30_000);

const LORA: LoraOptions = { rank: 4, alpha: 8, targets: ['q_proj', 'v_proj', 'gate_proj', 'down_proj'] };
const [B, S] = [2, 8];

describe('LoRA dropout', () => {
  const ckpt = randomCheckpoint({ arch: 'mixtral', layers: 1, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 4 });
  const batch = randomBatch(300, B, S, 3);
  let plain: LoraStepRunner;
  let dropped: LoraStepRunner;
  let values: Map<string, Float32Array>;
  beforeAll(async () => {
    plain = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S, experts: 'dense' });
    dropped = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: { ...LORA, dropout: 0.3 }, batch: B, seqLen: S, experts: 'dense' });
    values = initLoraParameters(plain.params, 2);
    const rand = seededRandom(9);
    for (const p of plain.params) if (p.half === 'B') values.get(p.name)!.forEach((_, i, a) => (a[i] = (rand() - 0.5) * 0.4));
  });
  afterAll(async () => {
    await plain.dispose();
    await dropped.dispose();
    ckpt.close();
  });

  it('rate 0 builds exactly the graph without dropout, and evaluation (rate 0) computes the same', async () => {
    const build = (dropout?: number) => buildTrainingGraph(ckpt.config, ckpt.weights, { lora: { ...LORA, dropout }, batch: B, seqLen: S }).bytes;
    expect(Buffer.from(build(0)).equals(Buffer.from(build(undefined)))).toBe(true);
    const a = await plain.step(batch, values);
    const b = await dropped.step({ ...batch, dropoutSeed: 5 }, values, { evaluate: true });
    expect(b.loss).toBeCloseTo(a.loss, 6);
    for (const [name, g] of a.grads) expect(Array.from(b.grads.get(name)!)).toEqual(Array.from(g));
  });

  it('a seed gives the same masks every time; another seed, other masks', async () => {
    const at = async (seed: number) => (await dropped.step({ ...batch, dropoutSeed: seed }, values)).loss;
    const first = await at(11);
    expect(await at(11)).toBe(first);
    expect(await at(12)).not.toBe(first);
    expect(first).not.toBeCloseTo((await plain.step(batch, values)).loss, 4);
  });

  it('gradients with a fixed mask agree with finite differences', async () => {
    const seeded = { ...batch, dropoutSeed: 21 };
    const { grads } = await dropped.step(seeded, values);
    for (const name of ['lora.layers.0.self_attn.q_proj.A', 'lora.layers.0.self_attn.v_proj.B', 'lora.layers.0.experts.1.gate_proj.A', 'lora.layers.0.experts.2.down_proj.B']) {
      expectClose(await finiteDifferences(dropped, seeded, values, name, largestIndices(grads.get(name)!, 3)));
    }
  });

  it('the trainer draws a seed per micro-batch from its own seed: same seed, same curve', async () => {
    const run = async (seed: number) => {
      const v = initLoraParameters(dropped.params, 1);
      return (await new LoraTrainer(dropped, { steps: 4, peakLr: 1e-2, seed }).train(v, () => batch)).map((r) => r.loss);
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
  });
});
