/**
 * Canonical weight names, independent of how a checkpoint lays them out (Mixtral's packed
 * `experts.gate_up_proj` vs classic `block_sparse_moe.experts.N.w1`, Qwen's `mlp.experts`, ...).
 * Importers resolve these to checkpoint tensors; the reference pass, the ONNX builder and the
 * quantizer ask only for these. Matrices follow the PyTorch Linear convention: [out, in], row-major.
 */
export type LayerWeightName =
  | 'input_norm' // [hidden]
  | 'post_attention_norm' // [hidden]
  | 'q_proj' // [numHeads*headDim, hidden]
  | 'k_proj' // [numKvHeads*headDim, hidden]
  | 'v_proj' // [numKvHeads*headDim, hidden]
  | 'o_proj' // [hidden, numHeads*headDim]
  | 'q_bias'
  | 'k_bias'
  | 'v_bias'
  | 'q_norm' // [headDim] per-head, or [numHeads*headDim] full
  | 'k_norm'
  | 'router' // [numExperts, hidden]
  | 'shared_gate_proj' // [sharedIntermediate, hidden]
  | 'shared_up_proj'
  | 'shared_down_proj' // [hidden, sharedIntermediate]
  | 'shared_expert_gate' // [1, hidden]
  | 'dense_gate_proj' // dense layers: [denseIntermediate, hidden]
  | 'dense_up_proj'
  | 'dense_down_proj';

export type ExpertWeightName = 'gate_proj' | 'up_proj' | 'down_proj'; // [inter, hidden] / [inter, hidden] / [hidden, inter]

export type GlobalWeightName = 'embed_tokens' | 'final_norm' | 'lm_head'; // lm_head falls back to embed_tokens when tied

export interface Tensor {
  readonly shape: readonly number[];
  /** Always float32 here; f16/bf16 are widened on read. */
  readonly data: Float32Array;
}

/**
 * Lazy access to a model's weights: a tensor is read from its file when asked for, so a caller that
 * walks the model layer by layer never holds the whole checkpoint in memory at once.
 */
export interface ModelWeights {
  global(name: GlobalWeightName): Tensor;
  layer(layer: number, name: LayerWeightName): Tensor;
  /** Whether the layer has this (optional) tensor: biases, qk norms, shared experts. */
  hasLayer(layer: number, name: LayerWeightName): boolean;
  expert(layer: number, expert: number, name: ExpertWeightName): Tensor;
  /** Releases file handles or mappings. */
  close(): void;
}
