/**
 * The one normalised description of a decoder-only MoE model that every part of src/moe works from
 * (reference pass, ONNX builder, quantizer, generator). Each architecture's importer maps its
 * config.json onto this; nothing downstream reads config.json keys directly.
 */
export type MoeArchitecture = 'mixtral' | 'qwen2_moe' | 'qwen3_moe' | 'olmoe' | 'deepseek_v2';

export interface RopeScaling {
  /** 'linear' | 'dynamic' | 'yarn' | 'llama3' ... as in HF `rope_scaling.rope_type` (or `type`). */
  type: string;
  factor: number;
  /** Remaining HF fields (original_max_position_embeddings, low_freq_factor, ...), kept verbatim. */
  [key: string]: unknown;
}

export interface SharedExpertConfig {
  /** Intermediate size of the shared expert FFN (DeepSeek: n_shared_experts * moe_intermediate_size). */
  intermediateSize: number;
  /** Qwen2-MoE multiplies the shared expert output by sigmoid(x · shared_expert_gate); DeepSeek does not. */
  gated: boolean;
}

export interface MoeBlockConfig {
  numExperts: number;
  topK: number;
  /** Intermediate size of each routed expert. */
  intermediateSize: number;
  /** Renormalise the top-k routing weights to sum to 1 (Mixtral: true; Qwen2-MoE: norm_topk_prob). */
  normTopKProb: boolean;
  /**
   * 'softmax-then-topk': probabilities over all experts, then top-k (Qwen, OLMoE, DeepSeek, and Mixtral
   * when renormalised, which is equivalent to softmax over the top-k logits).
   */
  scoring: 'softmax-then-topk' | 'topk-then-softmax';
  /** DeepSeek's routed_scaling_factor; 1 elsewhere. */
  routedScalingFactor: number;
  sharedExpert: SharedExpertConfig | null;
}

export type LayerKind = 'moe' | 'dense';

export interface MoeConfig {
  architecture: MoeArchitecture;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | null;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** Bias on q/k/v projections (Qwen2-MoE). */
  attentionBias: boolean;
  /** RMSNorm on queries and keys: per head (Qwen3-MoE) or over the whole projection (OLMoE); null if none. */
  qkNorm: 'per-head' | 'full' | null;
  moe: MoeBlockConfig;
  /** Per layer: routed MoE block or a dense SwiGLU MLP (DeepSeek first_k_dense_replace, Qwen mlp_only_layers). */
  layerKinds: LayerKind[];
  /** Intermediate size of dense MLP layers, when any layer is dense. */
  denseIntermediateSize: number;
  bosTokenId: number | null;
  eosTokenIds: number[];
}
