import type { MoeConfig } from '../../../moe/model/moe-config';
import type { RandomCheckpointOptions } from '../../../moe/random/random-checkpoint';
import { LoraStepRunner } from '../engine/lora-step.runner';
import { initLoraParameters, LORA_TARGETS, seededRandom, type LoraOptions } from '../lora/lora.options';
import { expectClose, finiteDifferences, largestIndices, randomBatch, randomCheckpoint, referenceLoss } from '../testing/training-fixtures';
import { baseParameterValues } from './base-weights';

const LORA: LoraOptions = { rank: 4, alpha: 8, targets: LORA_TARGETS };
const [B, S] = [2, 6];
const SHAPE = { layers: 2, hidden: 32, intermediate: 24, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 2 } as const;

interface Case {
  name: string;
  options: RandomCheckpointOptions;
  /** Config changes the reference and the graph both follow (variants no random checkpoint writes). */
  edit?: (c: MoeConfig) => MoeConfig;
  /** Base weights whose full-training gradients are checked too. */
  base: string[];
}

const CASES: Case[] = [
  { name: 'Qwen2-MoE: qkv bias, gated shared expert', options: { arch: 'qwen2_moe', ...SHAPE }, base: ['base.layers.0.q_bias', 'base.layers.1.shared_expert_gate', 'base.layers.0.shared_up_proj'] },
  { name: 'Qwen3-MoE: per-head q/k norm', options: { arch: 'qwen3_moe', ...SHAPE }, base: ['base.layers.0.q_norm', 'base.layers.1.k_norm'] },
  { name: 'OLMoE: q/k norm over the projection', options: { arch: 'olmoe', ...SHAPE }, base: ['base.layers.0.q_norm', 'base.layers.0.k_norm'] },
  { name: 'Qwen2-MoE with a dense first layer', options: { arch: 'qwen2_moe', ...SHAPE, denseLayers: [0] }, base: ['base.layers.0.dense_down_proj', 'base.layers.1.input_norm'] },
  {
    name: 'top-k then softmax',
    options: { arch: 'mixtral', ...SHAPE },
    edit: (c) => ({ ...c, moe: { ...c.moe, scoring: 'topk-then-softmax', normTopKProb: false } }),
    base: ['base.layers.0.router', 'base.embed_tokens'],
  },
  {
    name: 'DeepSeek-style: ungated shared expert, routed scaling factor',
    options: { arch: 'qwen2_moe', ...SHAPE },
    edit: (c) => ({ ...c, moe: { ...c.moe, routedScalingFactor: 2.5, sharedExpert: { ...c.moe.sharedExpert!, gated: false } } }),
    base: ['base.layers.1.shared_down_proj', 'base.final_norm'],
  },
];

describe.each(CASES)('training graph: $name', ({ options, edit, base }) => {
  const ckpt = randomCheckpoint(options);
  const config = edit ? edit(ckpt.config) : ckpt.config;
  const batch = randomBatch(SHAPE.vocab, B, S, 7, 2);
  afterAll(() => ckpt.close());

  it('computes the reference cross-entropy, and LoRA gradients pass finite differences', async () => {
    const runner = await LoraStepRunner.create(config, ckpt.weights, { lora: LORA, batch: B, seqLen: S, experts: 'dense' });
    try {
      const values = initLoraParameters(runner.params, 1);
      const { loss } = await runner.step(batch, values);
      expect(Math.abs(loss - (await referenceLoss(config, ckpt, batch, S)))).toBeLessThan(2e-4);
      const rand = seededRandom(3);
      for (const p of runner.params) if (p.half === 'B') values.get(p.name)!.forEach((_, i, a) => (a[i] = (rand() - 0.5) * 0.4));
      const { grads } = await runner.step(batch, values);
      const expertLayer = config.layerKinds.lastIndexOf('moe');
      for (const name of ['lora.layers.0.self_attn.k_proj.A', 'lora.layers.1.self_attn.o_proj.B', `lora.layers.${expertLayer}.experts.1.up_proj.A`]) {
        expectClose(await finiteDifferences(runner, batch, values, name, largestIndices(grads.get(name)!, 3)));
      }
    } finally {
      await runner.dispose();
    }
  });

  it('trains every base weight in full mode: same loss, gradients pass finite differences', async () => {
    const runner = await LoraStepRunner.create(config, ckpt.weights, { batch: B, seqLen: S, base: 'full', routerAuxLossCoef: 0, experts: 'sparse' });
    try {
      const values = baseParameterValues(ckpt.weights, runner.base);
      const { loss, grads } = await runner.step(batch, values);
      expect(Math.abs(loss - (await referenceLoss(config, ckpt, batch, S)))).toBeLessThan(2e-4);
      for (const name of base) expectClose(await finiteDifferences(runner, batch, values, name, largestIndices(grads.get(name)!, 3)));
    } finally {
      await runner.dispose();
    }
  });
});
