import type { ExpertWeightName, GlobalWeightName, LayerWeightName, ModelWeights, Tensor } from '../../model/model-weights';
import type { MoeArchitecture, MoeConfig } from '../../model/moe-config';
import { mulberry32 } from '../../random/seeded-random';

/**
 * In-memory ModelWeights of seeded random values for the builder's specs, so the graph can be
 * tested on every architecture's options without a checkpoint on disk. Values are scaled like a
 * trained model's (1/√fan-in), norms near 1.
 */
export class RandomModelWeights implements ModelWeights {
  private readonly cache = new Map<string, Tensor>();
  /** Experts whose weights are poisoned with NaN (to prove they are never run). */
  readonly poisoned = new Set<string>();

  constructor(
    readonly config: MoeConfig,
    private readonly seed = 1,
  ) {}

  global(name: GlobalWeightName): Tensor {
    const { vocabSize: v, hiddenSize: h } = this.config;
    if (name === 'final_norm') return this.get(name, [h], 'norm');
    if (name === 'lm_head' && this.config.tieWordEmbeddings) return this.global('embed_tokens');
    return this.get(name, [v, h], name === 'embed_tokens' ? 'embed' : 'matrix');
  }

  hasLayer(layer: number, name: LayerWeightName): boolean {
    const c = this.config;
    if (name === 'q_bias' || name === 'k_bias' || name === 'v_bias') return c.attentionBias;
    if (name === 'q_norm' || name === 'k_norm') return c.qkNorm !== null;
    if (name.startsWith('shared_')) return c.layerKinds[layer] === 'moe' && c.moe.sharedExpert !== null;
    if (name.startsWith('dense_')) return c.layerKinds[layer] === 'dense';
    if (name === 'router') return c.layerKinds[layer] === 'moe';
    return true;
  }

  layer(layer: number, name: LayerWeightName): Tensor {
    const c = this.config;
    const h = c.hiddenSize;
    const q = c.numHeads * c.headDim;
    const kv = c.numKvHeads * c.headDim;
    const shared = c.moe.sharedExpert?.intermediateSize ?? 0;
    const shapes: Record<LayerWeightName, number[]> = {
      input_norm: [h],
      post_attention_norm: [h],
      q_proj: [q, h],
      k_proj: [kv, h],
      v_proj: [kv, h],
      o_proj: [h, q],
      q_bias: [q],
      k_bias: [kv],
      v_bias: [kv],
      q_norm: [c.qkNorm === 'full' ? q : c.headDim],
      k_norm: [c.qkNorm === 'full' ? kv : c.headDim],
      router: [c.moe.numExperts, h],
      shared_gate_proj: [shared, h],
      shared_up_proj: [shared, h],
      shared_down_proj: [h, shared],
      shared_expert_gate: [1, h],
      dense_gate_proj: [c.denseIntermediateSize, h],
      dense_up_proj: [c.denseIntermediateSize, h],
      dense_down_proj: [h, c.denseIntermediateSize],
    };
    const kind = name.endsWith('norm') ? 'norm' : name.endsWith('bias') ? 'bias' : 'matrix';
    return this.get(`l${layer}.${name}`, shapes[name], kind);
  }

  expert(layer: number, expert: number, name: ExpertWeightName): Tensor {
    const { hiddenSize: h, moe } = this.config;
    const shape = name === 'down_proj' ? [h, moe.intermediateSize] : [moe.intermediateSize, h];
    const t = this.get(`l${layer}.e${expert}.${name}`, shape, 'matrix');
    if (this.poisoned.has(`${layer}.${expert}`)) return { shape: t.shape, data: new Float32Array(t.data.length).fill(NaN) };
    return t;
  }

  close(): void {
    this.cache.clear();
  }

  private get(key: string, shape: number[], kind: 'norm' | 'bias' | 'matrix' | 'embed'): Tensor {
    const found = this.cache.get(key);
    if (found) return found;
    const n = shape.reduce((a, b) => a * b, 1);
    const rand = mulberry32(hash(`${this.seed}:${key}`));
    const data = new Float32Array(n);
    const scale = kind === 'matrix' ? 1 / Math.sqrt(shape[shape.length - 1]) : kind === 'embed' ? 1 : 0.1;
    for (let i = 0; i < n; i++) {
      const u = rand() * 2 - 1;
      data[i] = kind === 'norm' ? 1 + 0.1 * u : u * scale * 1.7;
    }
    const t = { shape, data };
    this.cache.set(key, t);
    return t;
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}


/** A tiny config of each architecture's shape, for specs. */
export function tinyConfig(architecture: MoeArchitecture, overrides: Partial<MoeConfig> = {}): MoeConfig {
  const base: MoeConfig = {
    architecture,
    vocabSize: 64,
    hiddenSize: 32,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 16,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    ropeScaling: null,
    maxPositionEmbeddings: 128,
    tieWordEmbeddings: false,
    attentionBias: false,
    qkNorm: null,
    moe: {
      numExperts: 4,
      topK: 2,
      intermediateSize: 48,
      normTopKProb: true,
      scoring: 'softmax-then-topk',
      routedScalingFactor: 1,
      sharedExpert: null,
    },
    layerKinds: ['moe', 'moe'],
    denseIntermediateSize: 0,
    bosTokenId: 1,
    eosTokenIds: [2],
  };
  const byArch: Record<MoeArchitecture, Partial<MoeConfig>> = {
    mixtral: { moe: { ...base.moe, scoring: 'topk-then-softmax' } },
    qwen2_moe: {
      attentionBias: true,
      moe: { ...base.moe, normTopKProb: false, sharedExpert: { intermediateSize: 40, gated: true } },
    },
    qwen3_moe: { qkNorm: 'per-head' },
    olmoe: { qkNorm: 'full', moe: { ...base.moe, normTopKProb: false } },
    deepseek_v2: {
      layerKinds: ['dense', 'moe'],
      denseIntermediateSize: 56,
      moe: { ...base.moe, routedScalingFactor: 1.5, sharedExpert: { intermediateSize: 40, gated: false } },
    },
  };
  return { ...base, ...byArch[architecture], ...overrides };
}
