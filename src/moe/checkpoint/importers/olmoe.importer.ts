import type { MoeConfig } from '../../model/moe-config';
import { ArchitectureImporter, DEFAULT_NAMING } from '../architecture.importer';
import { HfConfigReader, moeBlock, readCommonFields } from '../hf-config.reader';

/** OLMoE: RMSNorm over the whole q and k projections, every layer MoE, no shared expert. */
export const olmoeImporter: ArchitectureImporter = {
  hfArchitectures: ['OlmoeForCausalLM'],
  naming: DEFAULT_NAMING,
  parseConfig(cfg: HfConfigReader): MoeConfig {
    if (cfg.has('clip_qkv')) cfg.refuse('clip_qkv is set; clamping q/k/v is not implemented (released OLMoE checkpoints leave it null)');
    const common = readCommonFields(cfg, { rmsNormEps: 1e-5, ropeTheta: 10000, maxPositionEmbeddings: 4096 });
    return {
      architecture: 'olmoe',
      ...common,
      attentionBias: cfg.bool('attention_bias', false),
      qkNorm: 'full',
      moe: moeBlock({
        numExperts: cfg.positiveInt('num_experts', 64),
        topK: cfg.positiveInt('num_experts_per_tok', 8),
        intermediateSize: cfg.positiveInt('intermediate_size'),
        normTopKProb: cfg.bool('norm_topk_prob', false),
        scoring: 'softmax-then-topk',
        routedScalingFactor: 1,
        sharedExpert: null,
      }),
      layerKinds: new Array(common.numLayers).fill('moe'),
      denseIntermediateSize: 0,
    };
  },
};
