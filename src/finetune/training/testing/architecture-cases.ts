import type { MoeConfig } from '../../../moe/model/moe-config';
import type { RandomCheckpointOptions } from '../../../moe/random/random-checkpoint';

/** The architecture variants the training-graph specs run, on 2-layer random checkpoints of src/moe. */
export const [B, S] = [2, 6];
export const SHAPE = { layers: 2, hidden: 32, intermediate: 24, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 2 } as const;

export interface ArchitectureCase {
  name: string;
  options: RandomCheckpointOptions;
  /** Config changes the reference and the graph both follow (variants no random checkpoint writes). */
  edit?: (c: MoeConfig) => MoeConfig;
  /** Base weights whose full-training gradients are checked too. */
  base: string[];
}

export const ARCHITECTURE_CASES: ArchitectureCase[] = [
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
