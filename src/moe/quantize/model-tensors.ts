import type { MoeConfig } from '../model/moe-config';
import type { ExpertWeightName, GlobalWeightName, LayerWeightName } from '../model/model-weights';

/** A canonical weight, addressed as ModelWeights addresses it. */
export type WeightRef =
  | { kind: 'global'; name: GlobalWeightName }
  | { kind: 'layer'; layer: number; name: LayerWeightName }
  | { kind: 'expert'; layer: number; expert: number; name: ExpertWeightName };

/**
 * Classes of weight that share a bit width in a recipe. Names match the ONNX builder's
 * `TensorClass`; 'vector' (norms, biases) is always float32.
 */
export type TensorClass =
  | 'embedding'
  | 'attention'
  | 'router'
  | 'expert_gate_up'
  | 'expert_down'
  | 'shared_expert'
  | 'dense_mlp'
  | 'lm_head'
  | 'vector';

export interface ModelTensor {
  key: string;
  ref: WeightRef;
  cls: TensorClass;
  /** [out, in] for matrices, [n] for vectors. */
  shape: number[];
  numel: number;
}

/** Stable string key: `embed_tokens`, `layers.3.q_proj`, `layers.3.experts.5.down_proj`. */
export function weightKey(ref: WeightRef): string {
  if (ref.kind === 'global') return ref.name;
  if (ref.kind === 'layer') return `layers.${ref.layer}.${ref.name}`;
  return `layers.${ref.layer}.experts.${ref.expert}.${ref.name}`;
}

const LAYER_CLASS: Record<LayerWeightName, TensorClass> = {
  input_norm: 'vector',
  post_attention_norm: 'vector',
  q_proj: 'attention',
  k_proj: 'attention',
  v_proj: 'attention',
  o_proj: 'attention',
  q_bias: 'vector',
  k_bias: 'vector',
  v_bias: 'vector',
  q_norm: 'vector',
  k_norm: 'vector',
  router: 'router',
  shared_gate_proj: 'shared_expert',
  shared_up_proj: 'shared_expert',
  shared_down_proj: 'shared_expert',
  // A [1, hidden] gate deciding how much of the shared expert to add: routing-like, kept with the router.
  shared_expert_gate: 'router',
  dense_gate_proj: 'dense_mlp',
  dense_up_proj: 'dense_mlp',
  dense_down_proj: 'dense_mlp',
};

/** Every weight tensor the model has, in layer order, with the shapes ModelWeights serves. */
export function modelTensors(c: MoeConfig): ModelTensor[] {
  const d = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const out: ModelTensor[] = [];
  const add = (ref: WeightRef, cls: TensorClass, shape: number[]): void => {
    out.push({ key: weightKey(ref), ref, cls, shape, numel: shape.reduce((a, b) => a * b, 1) });
  };
  const layerTensor = (layer: number, name: LayerWeightName, shape: number[]): void =>
    add({ kind: 'layer', layer, name }, LAYER_CLASS[name], shape);

  add({ kind: 'global', name: 'embed_tokens' }, 'embedding', [c.vocabSize, d]);
  for (let l = 0; l < c.numLayers; l++) {
    layerTensor(l, 'input_norm', [d]);
    layerTensor(l, 'q_proj', [q, d]);
    layerTensor(l, 'k_proj', [kv, d]);
    layerTensor(l, 'v_proj', [kv, d]);
    layerTensor(l, 'o_proj', [d, q]);
    if (c.attentionBias) {
      layerTensor(l, 'q_bias', [q]);
      layerTensor(l, 'k_bias', [kv]);
      layerTensor(l, 'v_bias', [kv]);
    }
    if (c.qkNorm) {
      layerTensor(l, 'q_norm', [c.qkNorm === 'full' ? q : c.headDim]);
      layerTensor(l, 'k_norm', [c.qkNorm === 'full' ? kv : c.headDim]);
    }
    layerTensor(l, 'post_attention_norm', [d]);
    if (c.layerKinds[l] === 'dense') {
      const f = c.denseIntermediateSize;
      layerTensor(l, 'dense_gate_proj', [f, d]);
      layerTensor(l, 'dense_up_proj', [f, d]);
      layerTensor(l, 'dense_down_proj', [d, f]);
      continue;
    }
    const m = c.moe;
    layerTensor(l, 'router', [m.numExperts, d]);
    for (let e = 0; e < m.numExperts; e++) {
      add({ kind: 'expert', layer: l, expert: e, name: 'gate_proj' }, 'expert_gate_up', [m.intermediateSize, d]);
      add({ kind: 'expert', layer: l, expert: e, name: 'up_proj' }, 'expert_gate_up', [m.intermediateSize, d]);
      add({ kind: 'expert', layer: l, expert: e, name: 'down_proj' }, 'expert_down', [d, m.intermediateSize]);
    }
    if (m.sharedExpert) {
      const s = m.sharedExpert.intermediateSize;
      layerTensor(l, 'shared_gate_proj', [s, d]);
      layerTensor(l, 'shared_up_proj', [s, d]);
      layerTensor(l, 'shared_down_proj', [d, s]);
      if (m.sharedExpert.gated) layerTensor(l, 'shared_expert_gate', [1, d]);
    }
  }
  add({ kind: 'global', name: 'final_norm' }, 'vector', [d]);
  add({ kind: 'global', name: 'lm_head' }, 'lm_head', [c.vocabSize, d]);
  return out;
}
