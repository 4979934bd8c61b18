import type { LayerKind, MoeConfig } from '../../model/moe-config';
import { ArchitectureImporter, DEFAULT_NAMING } from '../architecture.importer';
import { HfConfigReader, moeBlock, readCommonFields } from '../hf-config.reader';

/**
 * DeepSeek-MoE (DeepseekForCausalLM, e.g. deepseek-moe-16b) and DeepseekV2ForCausalLM configs that
 * use standard multi-head attention. Multi-head latent attention (MLA: q_lora_rank / kv_lora_rank,
 * as in every released DeepSeek-V2/V3) is refused, as are group-limited and sigmoid routing.
 */
export const deepseekImporter: ArchitectureImporter = {
  hfArchitectures: ['DeepseekForCausalLM', 'DeepseekV2ForCausalLM'],
  naming: DEFAULT_NAMING,
  parseConfig(cfg: HfConfigReader): MoeConfig {
    if (cfg.has('q_lora_rank') || cfg.has('kv_lora_rank')) {
      cfg.refuse(
        'this DeepSeek config uses multi-head latent attention (MLA: q_lora_rank / kv_lora_rank), which Zhiku does not implement; ' +
          'DeepSeek checkpoints with standard attention (such as deepseek-moe-16b) are supported',
      );
    }
    const topkMethod = cfg.string('topk_method', 'greedy');
    if (topkMethod !== 'greedy') cfg.refuse(`topk_method "${topkMethod}" is not supported; only greedy top-k routing is`);
    const scoring = cfg.string('scoring_func', 'softmax');
    if (scoring !== 'softmax') cfg.refuse(`scoring_func "${scoring}" is not supported; only softmax routing is`);

    const common = readCommonFields(cfg, { rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 4096 });
    const numExperts = cfg.positiveInt('n_routed_experts');
    const expertSize = cfg.positiveInt('moe_intermediate_size');
    const shared = cfg.int('n_shared_experts', 0);
    const firstDense = cfg.int('first_k_dense_replace', 0);
    const frequency = cfg.positiveInt('moe_layer_freq', 1);
    const layerKinds: LayerKind[] = Array.from({ length: common.numLayers }, (_, i) => (i >= firstDense && i % frequency === 0 ? 'moe' : 'dense'));
    return {
      architecture: 'deepseek_v2',
      ...common,
      attentionBias: cfg.bool('attention_bias', false),
      qkNorm: null,
      moe: moeBlock({
        numExperts,
        topK: cfg.positiveInt('num_experts_per_tok'),
        intermediateSize: expertSize,
        normTopKProb: cfg.bool('norm_topk_prob', false),
        scoring: 'softmax-then-topk',
        routedScalingFactor: cfg.float('routed_scaling_factor', 1),
        sharedExpert: shared > 0 ? { intermediateSize: shared * expertSize, gated: false } : null,
      }),
      layerKinds,
      denseIntermediateSize: cfg.int('intermediate_size', 0),
    };
  },
};
