import type { MoeConfig } from '../../model/moe-config';
import { ArchitectureImporter, DEFAULT_NAMING } from '../architecture.importer';
import { HfConfigReader, moeBlock, readCommonFields } from '../hf-config.reader';

/** Mixtral: every layer is MoE, softmax → top-k → renormalise, no shared expert, no biases. */
export const mixtralImporter: ArchitectureImporter = {
  hfArchitectures: ['MixtralForCausalLM'],
  naming: {
    ...DEFAULT_NAMING,
    moeBlocks: ['mlp', 'block_sparse_moe'],
    expertGate: ['w1', 'gate_proj'],
    expertUp: ['w3', 'up_proj'],
    expertDown: ['w2', 'down_proj'],
  },
  parseConfig(cfg: HfConfigReader): MoeConfig {
    const common = readCommonFields(cfg, { rmsNormEps: 1e-5, ropeTheta: 1e6, maxPositionEmbeddings: 4096 * 32 });
    return {
      architecture: 'mixtral',
      ...common,
      attentionBias: false,
      qkNorm: null,
      moe: moeBlock({
        numExperts: cfg.positiveInt('num_local_experts', 8),
        topK: cfg.positiveInt('num_experts_per_tok', 2),
        intermediateSize: cfg.positiveInt('intermediate_size'),
        normTopKProb: true,
        scoring: 'softmax-then-topk',
        routedScalingFactor: 1,
        sharedExpert: null,
      }),
      layerKinds: new Array(common.numLayers).fill('moe'),
      denseIntermediateSize: 0,
    };
  },
};
