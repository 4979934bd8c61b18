import type { MoeConfig } from '../../../moe/model/moe-config';
import type { ModelWeights, Tensor } from '../../../moe/model/model-weights';
import { attr } from '../../../moe/onnx/onnx-graph';
import type { TapeGraph } from '../autodiff/tape-graph';
import type { LoraTarget } from './lora.options';

/** How routed experts are computed in the training graph (see docs/finetune-training.md for the measurement). */
export type ExpertMode = 'sparse' | 'dense';

/**
 * Emits a Mixtral-style decoder's forward pass for training: batch and sequence static, base weights
 * as frozen initializers in [in, out] layout, LoRA A/B as graph inputs added beside their projection.
 * Every node goes onto the tape, so the backward pass differentiates exactly what runs forward.
 */
export class LoraLayersEmitter {
  constructor(
    private readonly g: TapeGraph,
    private readonly config: MoeConfig,
    private readonly weights: ModelWeights,
    /** Graph-input names of the LoRA parameters by `layer.owner.target` (owner `self_attn` or `experts.N`). */
    private readonly lora: ReadonlyMap<string, { a: string; b: string }>,
    private readonly scaling: number,
    private readonly batch: number,
    private readonly seqLen: number,
  ) {}

  /** PyTorch [out, in] to our [in, out], written once as a frozen initializer. */
  private frozen(name: string, t: Tensor): string {
    const [rows, cols] = t.shape;
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
    return this.g.floatWeight(name, [cols, rows], out);
  }

  /** x·W, plus (x·A)·B·(alpha/r) when the projection is a LoRA target. */
  linear(x: string, layer: number, owner: string, target: LoraTarget | 'router', weight: Tensor): string {
    const g = this.g;
    const base = g.op('MatMul', [x, this.frozen(`/model/layers.${layer}/${owner}/${target}/weight`, weight)]);
    const adapter = target === 'router' ? undefined : this.lora.get(`${layer}.${owner}.${target}`);
    if (!adapter) return base;
    const low = g.op('MatMul', [g.op('MatMul', [x, adapter.a]), adapter.b]);
    return g.op('Add', [base, g.op('Mul', [low, g.float32([this.scaling])])]);
  }

  /** The frozen output projection to vocabulary logits. */
  lmHead(x: string, weight: Tensor): string {
    return this.g.op('MatMul', [x, this.frozen('/model/lm_head/weight', weight)]);
  }

  rmsNorm(x: string, weight: Tensor): string {
    const g = this.g;
    const w = g.floatWeight(`${g.currentScope}/weight`, [weight.data.length], weight.data);
    const ms = g.op('ReduceMean', [g.op('Mul', [x, x]), g.int64([-1])], { attrs: { keepdims: attr.int(1) } });
    const inv = g.op('Sqrt', [g.op('Add', [ms, g.float32([this.config.rmsNormEps])])]);
    return g.op('Mul', [g.op('Div', [x, inv]), w]);
  }

  /**
   * Causal grouped-query attention with rotary embeddings (rotate-half), queries grouped by the KV head
   * they share: q [B,KV,G,S,D] against k, v [B,KV,1,S,D].
   */
  attention(x: string, layer: number, rope: { cos: string; sin: string; mask: string }): string {
    const g = this.g;
    const { numHeads: nh, numKvHeads: kv, headDim: d } = this.config;
    const [B, S] = [this.batch, this.seqLen];
    const proj = (t: LoraTarget) => this.linear(x, layer, 'self_attn', t, this.weights.layer(layer, t as 'q_proj'));
    const heads = (v: string, n: number) =>
      g.op('Transpose', [g.op('Reshape', [v, g.int64([B, S, n, d])])], { attrs: { perm: attr.ints([0, 2, 1, 3]) } });
    const rotate = (v: string) => {
      const [x1, x2] = g.node('Split', [v, g.int64([d / 2, d / 2])], { outputs: 2, attrs: { axis: attr.int(-1) } });
      const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { attrs: { axis: attr.int(-1) } });
      return g.op('Add', [g.op('Mul', [v, rope.cos]), g.op('Mul', [rotated, rope.sin])]);
    };
    const q = g.op('Reshape', [rotate(heads(proj('q_proj'), nh)), g.int64([B, kv, nh / kv, S, d])]);
    const k = g.op('Unsqueeze', [rotate(heads(proj('k_proj'), kv)), g.int64([2])]);
    const v = g.op('Unsqueeze', [heads(proj('v_proj'), kv), g.int64([2])]);
    const kt = g.op('Transpose', [k], { attrs: { perm: attr.ints([0, 1, 2, 4, 3]) } });
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kt]), g.float32([1 / Math.sqrt(d)])]), rope.mask]);
    const probs = g.op('Softmax', [scores], { attrs: { axis: attr.int(-1) } });
    const ctx = g.op('Reshape', [g.op('MatMul', [probs, v]), g.int64([B, nh, S, d])]);
    const merged = g.op('Reshape', [g.op('Transpose', [ctx], { attrs: { perm: attr.ints([0, 2, 1, 3]) } }), g.int64([B, S, nh * d])]);
    return this.linear(merged, layer, 'self_attn', 'o_proj', this.weights.layer(layer, 'o_proj'));
  }

  /**
   * The MoE block over flattened tokens [N, H]. The router is frozen, but gradients flow through its
   * softmax into the hidden state; the top-k choice itself is piecewise constant and carries none.
   * 'sparse' runs each expert on the rows routed to it and scatter-adds the results; 'dense' runs every
   * expert on every row and multiplies by a routing weight that is zero off the top-k.
   */
  moe(x: string, layer: number, mode: ExpertMode): string {
    const g = this.g;
    const { numExperts: E, topK, normTopKProb } = this.config.moe;
    const N = this.batch * this.seqLen;
    const flat = g.op('Reshape', [x, g.int64([N, this.config.hiddenSize])]);
    const probs = g.op('Softmax', [this.linear(flat, layer, 'moe', 'router', this.weights.layer(layer, 'router'))], { attrs: { axis: attr.int(-1) } });
    const [, chosen] = g.node('TopK', [probs, g.int64([topK])], { outputs: 2, attrs: { axis: attr.int(-1) } });
    const ones = g.op('Expand', [g.float32([1]), g.int64([N, topK])]);
    const selected = g.op('ScatterElements', [g.op('Expand', [g.float32([0]), g.int64([N, E])]), chosen, ones], { attrs: { axis: attr.int(-1) } });
    let routing = g.op('Mul', [probs, selected]);
    if (normTopKProb) routing = g.op('Div', [routing, g.op('ReduceSum', [routing, g.int64([-1])], { attrs: { keepdims: attr.int(1) } })]);
    const columns = g.node('Split', [routing, g.int64(Array(E).fill(1))], { outputs: E, attrs: { axis: attr.int(-1) } });
    let out = '';
    for (let e = 0; e < E; e++) {
      g.scope(`experts.${e}`, () => {
        if (mode === 'dense') {
          const y = g.op('Mul', [this.expert(flat, layer, e), columns[e]]);
          out = out ? g.op('Add', [out, y]) : y;
          return;
        }
        const isChosen = g.op('Greater', [g.op('Reshape', [g.op('Gather', [selected, g.int64([e], [])], { attrs: { axis: attr.int(1) } }), g.int64([-1])]), g.float32([0])]);
        const rows = g.op('Reshape', [g.op('NonZero', [isChosen]), g.int64([-1])]);
        const pick = (v: string) => g.op('Gather', [v, rows], { attrs: { axis: attr.int(0) } });
        const y = g.op('Mul', [this.expert(pick(flat), layer, e), pick(columns[e])]);
        const base = out || g.op('Expand', [g.float32([0]), g.int64([N, this.config.hiddenSize])]);
        out = g.op('ScatterND', [base, g.op('Unsqueeze', [rows, g.int64([1])]), y], { attrs: { reduction: attr.str('add') } });
      });
    }
    return g.op('Reshape', [out, g.int64([this.batch, this.seqLen, this.config.hiddenSize])]);
  }

  /** SwiGLU: down(silu(gate(x)) · up(x)), silu written as x·sigmoid(x). */
  private expert(x: string, layer: number, e: number): string {
    const g = this.g;
    const owner = `experts.${e}`;
    const gate = this.linear(x, layer, owner, 'gate_proj', this.weights.expert(layer, e, 'gate_proj'));
    const up = this.linear(x, layer, owner, 'up_proj', this.weights.expert(layer, e, 'up_proj'));
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    return this.linear(act, layer, owner, 'down_proj', this.weights.expert(layer, e, 'down_proj'));
  }
}
