import type { MoeConfig } from '../../model/moe-config';
import { ArchitectureImporter, DEFAULT_NAMING } from '../architecture.importer';
import { HfConfigReader, moeBlock, readCommonFields } from '../hf-config.reader';
import { qwenLayerKinds } from './qwen-moe.layers';

/** Qwen3-MoE: per-head RMSNorm on q and k, no shared expert, explicit head_dim. */
export const qwen3MoeImporter: ArchitectureImporter = {
  hfArchitectures: ['Qwen3MoeForCausalLM'],
  naming: DEFAULT_NAMING,
  parseConfig(cfg: HfConfigReader): MoeConfig {
    const common = readCommonFields(cfg, { rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 32768 });
    const numExperts = cfg.positiveInt('num_experts', 128);
    return {
      architecture: 'qwen3_moe',
      ...common,
      attentionBias: cfg.bool('attention_bias', false),
      qkNorm: 'per-head',
      moe: moeBlock({
        numExperts,
        topK: cfg.positiveInt('num_experts_per_tok', 8),
        intermediateSize: cfg.positiveInt('moe_intermediate_size'),
        normTopKProb: cfg.bool('norm_topk_prob', false),
        scoring: 'softmax-then-topk',
        routedScalingFactor: 1,
        sharedExpert: null,
      }),
      layerKinds: qwenLayerKinds(cfg, common.numLayers, numExperts),
      denseIntermediateSize: cfg.int('intermediate_size', 0),
    };
  },
};
