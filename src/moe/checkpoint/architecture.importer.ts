import type { MoeConfig } from '../model/moe-config';
import type { HfConfigReader } from './hf-config.reader';

/**
 * Where a layout keeps a layer's tensors, relative to `model.layers.N.`. Each list holds the
 * spellings checkpoints in the wild use, tried in order; the first present in the checkpoint wins.
 */
export interface TensorNaming {
  /** The MoE block: `mlp` (Qwen, OLMoE, DeepSeek, Mixtral in transformers 5) or `block_sparse_moe`. */
  readonly moeBlocks: readonly string[];
  /** Per-expert projection names under `<block>.experts.N.`: gate, up, down. */
  readonly expertGate: readonly string[];
  readonly expertUp: readonly string[];
  readonly expertDown: readonly string[];
  /** Shared expert module under the layer (Qwen `mlp.shared_expert`, DeepSeek `mlp.shared_experts`). */
  readonly sharedExperts: readonly string[];
}

export const DEFAULT_NAMING: TensorNaming = {
  moeBlocks: ['mlp'],
  expertGate: ['gate_proj'],
  expertUp: ['up_proj'],
  expertDown: ['down_proj'],
  sharedExperts: ['mlp.shared_expert', 'mlp.shared_experts'],
};

/**
 * One Hugging Face architecture: how its config.json maps to MoeConfig and how its checkpoint names
 * tensors. An architecture is one small file plus a row in the registry.
 */
export interface ArchitectureImporter {
  /** Values of config.json `architectures` this importer reads. */
  readonly hfArchitectures: readonly string[];
  readonly naming: TensorNaming;
  parseConfig(config: HfConfigReader): MoeConfig;
}
