import type { MoeConfig } from '../../../moe/model/moe-config';
import type { LayerWeightName } from '../../../moe/model/model-weights';
import { attr } from '../../../moe/onnx/onnx-graph';
import type { TapeGraph } from '../autodiff/tape-graph';
import type { LoraOwner, LoraTarget } from '../lora/lora.options';
import type { BaseWeightRef, BaseWeights } from './base-weights';
import { loraDropout } from './lora-dropout';

/** Graph-input names of one LoRA pair. */
export interface LoraSite {
  a: string;
  b: string;
}

/** Per-row rotary tables [B, 1, S, D] (gathered at position_ids) and the additive attention mask [B, 1, 1, S, S]. */
export interface AttentionInputs {
  cos: string;
  sin: string;
  mask: string;
}

/**
 * The parts of a decoder layer every architecture shares, written for training: batch and sequence
 * static, weights from BaseWeights (frozen initializers or trained inputs), LoRA A/B added beside their
 * projection, and LoRA dropout on the adapter's input when the graph has it. Every node goes onto the
 * tape, so the backward pass differentiates exactly what runs forward.
 */
export class DecoderLayersEmitter {
  private dropoutSites = 0;

  constructor(
    private readonly g: TapeGraph,
    private readonly config: MoeConfig,
    readonly base: BaseWeights,
    /** LoRA pairs by `layer.owner.target` (owner `self_attn`, `experts.N`, `shared_expert` or `mlp`). */
    private readonly lora: ReadonlyMap<string, LoraSite>,
    private readonly scaling: number,
    private readonly dropout: boolean,
    readonly batch: number,
    readonly seqLen: number,
  ) {}

  /** x·W, plus dropout(x)·A·B·(alpha/r) when the projection is a LoRA target. */
  linear(x: string, ref: BaseWeightRef, lora?: { owner: string; target: LoraTarget }): string {
    const g = this.g;
    const base = g.op('MatMul', [x, this.base.matrix(ref)]);
    const adapter = lora && ref.kind !== 'global' ? this.lora.get(`${ref.layer}.${lora.owner}.${lora.target}`) : undefined;
    if (!adapter) return base;
    const input = this.dropout ? g.scope(`lora_dropout.${this.dropoutSites}`, () => loraDropout(g, x, this.dropoutSites++)) : x;
    const low = g.op('MatMul', [g.op('MatMul', [input, adapter.a]), adapter.b]);
    return g.op('Add', [base, g.op('Mul', [low, g.float32([this.scaling])])]);
  }

  /** RMSNorm over the last axis: x / √(mean(x²) + ε) · w. */
  rmsNorm(x: string, weight: string): string {
    const g = this.g;
    const ms = g.op('ReduceMean', [g.op('Mul', [x, x]), g.int64([-1])], { attrs: { keepdims: attr.int(1) } });
    const inv = g.op('Sqrt', [g.op('Add', [ms, g.float32([this.config.rmsNormEps])])]);
    return g.op('Mul', [g.op('Div', [x, inv]), weight]);
  }

  /**
   * Grouped-query attention with rotary embeddings (rotate-half), q/k/v biases (Qwen2-MoE) and q/k
   * RMSNorm per head (Qwen3-MoE) or over the projection (OLMoE), in Hugging Face's order:
   * project (+ bias) → norm → rope. Queries are grouped by the KV head they share:
   *
   *   q [B,S,H·D] ─(norm)─Reshape─Transpose─RoPE─Reshape─► [B,KV,G,S,D]
   *   k ─(norm)─Reshape─Transpose─RoPE─Unsqueeze─► [B,KV,1,S,D] ─Transpose─► kᵀ
   *   q·kᵀ/√D + mask ─Softmax─·v─Reshape─Transpose─Reshape─o_proj
   */
  attention(x: string, layer: number, inputs: AttentionInputs): string {
    const g = this.g;
    const { numHeads: nh, numKvHeads: kv, headDim: d, attentionBias, qkNorm } = this.config;
    const [B, S] = [this.batch, this.seqLen];
    const layerRef = (name: LayerWeightName): BaseWeightRef => ({ kind: 'layer', layer, name });
    const proj = (t: 'q_proj' | 'k_proj' | 'v_proj') => {
      const y = this.linear(x, layerRef(t), { owner: 'self_attn', target: t });
      return attentionBias ? g.op('Add', [y, this.base.plain(layerRef(`${t[0]}_bias` as LayerWeightName))]) : y;
    };
    const heads = (v: string, n: number, norm?: 'q_norm' | 'k_norm') => {
      let split = g.op('Reshape', [v, g.int64([B, S, n, d])]);
      if (norm && qkNorm === 'per-head') split = g.scope(norm, () => this.rmsNorm(split, this.base.plain(layerRef(norm))));
      return g.op('Transpose', [split], { attrs: { perm: attr.ints([0, 2, 1, 3]) } });
    };
    const fullNorm = (v: string, norm: 'q_norm' | 'k_norm') => (qkNorm === 'full' ? g.scope(norm, () => this.rmsNorm(v, this.base.plain(layerRef(norm)))) : v);
    const rotate = (v: string) => {
      const [x1, x2] = g.node('Split', [v, g.int64([d / 2, d / 2])], { outputs: 2, attrs: { axis: attr.int(-1) } });
      const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { attrs: { axis: attr.int(-1) } });
      return g.op('Add', [g.op('Mul', [v, inputs.cos]), g.op('Mul', [rotated, inputs.sin])]);
    };
    const q = g.op('Reshape', [rotate(heads(fullNorm(proj('q_proj'), 'q_norm'), nh, 'q_norm')), g.int64([B, kv, nh / kv, S, d])]);
    const k = g.op('Unsqueeze', [rotate(heads(fullNorm(proj('k_proj'), 'k_norm'), kv, 'k_norm')), g.int64([2])]);
    const v = g.op('Unsqueeze', [heads(proj('v_proj'), kv), g.int64([2])]);
    const kt = g.op('Transpose', [k], { attrs: { perm: attr.ints([0, 1, 2, 4, 3]) } });
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kt]), g.float32([1 / Math.sqrt(d)])]), inputs.mask]);
    const probs = g.op('Softmax', [scores], { attrs: { axis: attr.int(-1) } });
    const ctx = g.op('Reshape', [g.op('MatMul', [probs, v]), g.int64([B, nh, S, d])]);
    const merged = g.op('Reshape', [g.op('Transpose', [ctx], { attrs: { perm: attr.ints([0, 2, 1, 3]) } }), g.int64([B, S, nh * d])]);
    return this.linear(merged, layerRef('o_proj'), { owner: 'self_attn', target: 'o_proj' });
  }

  /** SwiGLU: down(silu(gate(x)) · up(x)), silu written as x·sigmoid(x); LoRA where `owner` has adapters. */
  swiglu(x: string, refs: [BaseWeightRef, BaseWeightRef, BaseWeightRef], owner: LoraOwner): string {
    const g = this.g;
    const site = (target: LoraTarget) => ({ owner, target });
    const gate = this.linear(x, refs[0], site('gate_proj'));
    const up = this.linear(x, refs[1], site('up_proj'));
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    return this.linear(act, refs[2], site('down_proj'));
  }
}
