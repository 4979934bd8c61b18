import type { MoeConfig } from '../../model/moe-config';
import { ArchitectureImporter, DEFAULT_NAMING } from '../architecture.importer';
import { HfConfigReader, moeBlock, readCommonFields } from '../hf-config.reader';
import { qwenLayerKinds } from './qwen-moe.layers';

/** Qwen1.5/Qwen2-MoE: qkv bias, a shared expert scaled by sigmoid(shared_expert_gate · x). */
export const qwen2MoeImporter: ArchitectureImporter = {
  hfArchitectures: ['Qwen2MoeForCausalLM'],
  naming: DEFAULT_NAMING,
  parseConfig(cfg: HfConfigReader): MoeConfig {
    const common = readCommonFields(cfg, { rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 32768 });
    const numExperts = cfg.positiveInt('num_experts', 60);
    const sharedSize = cfg.int('shared_expert_intermediate_size', 0);
    return {
      architecture: 'qwen2_moe',
      ...common,
      attentionBias: cfg.bool('qkv_bias', true),
      qkNorm: null,
      moe: moeBlock({
        numExperts,
        topK: cfg.positiveInt('num_experts_per_tok', 4),
        intermediateSize: cfg.positiveInt('moe_intermediate_size'),
        normTopKProb: cfg.bool('norm_topk_prob', false),
        scoring: 'softmax-then-topk',
        routedScalingFactor: 1,
        sharedExpert: sharedSize > 0 ? { intermediateSize: sharedSize, gated: true } : null,
      }),
      layerKinds: qwenLayerKinds(cfg, common.numLayers, numExperts),
      denseIntermediateSize: cfg.int('intermediate_size', 0),
    };
  },
};
