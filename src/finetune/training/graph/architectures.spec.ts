import { LoraStepRunner } from '../engine/lora-step.runner';
import { initLoraParameters, LORA_TARGETS, seededRandom, type LoraOptions } from '../lora/lora.options';
import { ARCHITECTURE_CASES as CASES, B, S, SHAPE } from '../testing/architecture-cases';
import { expectClose, finiteDifferences, largestIndices, randomBatch, randomCheckpoint, referenceLoss } from '../testing/training-fixtures';

// Each test builds and runs ONNX Runtime sessions; on two shared cores one can pass the 5 s default.
jest.setTimeout(30_000);

const LORA: LoraOptions = { rank: 4, alpha: 8, targets: LORA_TARGETS };

describe.each(CASES)('training graph: $name', ({ options, edit }) => {
  const ckpt = randomCheckpoint(options);
  const config = edit ? edit(ckpt.config) : ckpt.config;
  const batch = randomBatch(SHAPE.vocab, B, S, 7, 2);
  afterAll(() => ckpt.close());

  it('computes the reference cross-entropy, and LoRA gradients (attention, experts, shared expert, dense MLP) pass finite differences', async () => {
    const runner = await LoraStepRunner.create(config, ckpt.weights, { lora: LORA, batch: B, seqLen: S, experts: 'dense' });
    try {
      const values = initLoraParameters(runner.params, 1);
      const { loss } = await runner.step(batch, values);
      expect(Math.abs(loss - (await referenceLoss(config, ckpt, batch, S)))).toBeLessThan(2e-4);
      const rand = seededRandom(3);
      for (const p of runner.params) if (p.half === 'B') values.get(p.name)!.forEach((_, i, a) => (a[i] = (rand() - 0.5) * 0.4));
      const { grads } = await runner.step(batch, values);
      const expertLayer = config.layerKinds.lastIndexOf('moe');
      // Shared experts and dense MLPs take adapters from the same gate/up/down targets as routed experts.
      const mlpSites = ['shared_expert.gate_proj.A', 'shared_expert.down_proj.B', 'mlp.up_proj.A', 'mlp.down_proj.B'].flatMap((site) => runner.params.filter((p) => p.name.endsWith(site)).slice(0, 1).map((p) => p.name));
      if (config.moe.sharedExpert) expect(mlpSites.filter((n) => n.includes('shared_expert'))).toHaveLength(2);
      if (config.layerKinds.includes('dense')) expect(mlpSites.filter((n) => n.includes('.mlp.'))).toHaveLength(2);
      for (const name of ['lora.layers.0.self_attn.k_proj.A', 'lora.layers.1.self_attn.o_proj.B', `lora.layers.${expertLayer}.experts.1.up_proj.A`, ...mlpSites]) {
        expectClose(await finiteDifferences(runner, batch, values, name, largestIndices(grads.get(name)!, 3)));
      }
    } finally {
      await runner.dispose();
    }
  });

});
