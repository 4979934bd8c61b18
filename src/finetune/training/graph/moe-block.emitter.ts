import type { MoeConfig } from '../../../moe/model/moe-config';
import type { ExpertWeightName, LayerWeightName } from '../../../moe/model/model-weights';
import { attr } from '../../../moe/onnx/onnx-graph';
import type { TapeGraph } from '../autodiff/tape-graph';
import type { BaseWeightRef } from './base-weights';
import type { DecoderLayersEmitter } from './decoder-layers.emitter';
import type { RouterStats } from './training-losses';

/** How routed experts are computed in the training graph (see docs/finetune-training.md for the measurement). */
export type ExpertMode = 'sparse' | 'dense';

/**
 * The feed-forward half of a layer for training: a routed MoE block (every routing variant of
 * MoeConfig, as src/moe's routeToken defines them) plus an optional shared expert, or a dense SwiGLU.
 */
export class MoeBlockEmitter {
  constructor(
    private readonly g: TapeGraph,
    private readonly config: MoeConfig,
    private readonly layers: DecoderLayersEmitter,
  ) {}

  /** A dense SwiGLU MLP layer (DeepSeek's first_k_dense_replace, Qwen's mlp_only_layers). */
  dense(x: string, layer: number): string {
    const ref = (name: LayerWeightName): BaseWeightRef => ({ kind: 'layer', layer, name });
    return this.layers.swiglu(x, [ref('dense_gate_proj'), ref('dense_up_proj'), ref('dense_down_proj')], 'mlp');
  }

  /**
   * The MoE block over flattened tokens [N, H]. Gradients flow through the routing weights into the
   * hidden state and, when it is trained, the router; the top-k choice is piecewise constant and
   * carries none. 'sparse' runs each expert on the rows routed to it and scatter-adds the results;
   * 'dense' runs every expert on every row times a routing weight that is zero off the top-k.
   *
   *   logits = x·router ─Softmax─► probs ─TopK─► selected [N,E] (0/1)
   *   softmax-then-topk: probs·selected (÷ Σ when renormalised)
   *   topk-then-softmax: Softmax(logits − 1e9·(1 − selected))·selected
   *   ·routed_scaling_factor ─► expert weights;  + shared expert · sigmoid(x·gate) (Qwen2-MoE)
   */
  moe(x: string, layer: number, mode: ExpertMode): { out: string; stats: RouterStats } {
    const g = this.g;
    const { numExperts: E, topK, normTopKProb, scoring, routedScalingFactor, sharedExpert } = this.config.moe;
    const H = this.config.hiddenSize;
    const N = this.layers.batch * this.layers.seqLen;
    const ref = (name: LayerWeightName): BaseWeightRef => ({ kind: 'layer', layer, name });
    const flat = g.op('Reshape', [x, g.int64([N, H])]);
    const logits = this.layers.linear(flat, ref('router'));
    const probs = g.op('Softmax', [logits], { attrs: { axis: attr.int(-1) } });
    const [, chosen] = g.node('TopK', [scoring === 'softmax-then-topk' ? probs : logits, g.int64([topK])], { outputs: 2, attrs: { axis: attr.int(-1) } });
    const ones = g.op('Expand', [g.float32([1]), g.int64([N, topK])]);
    const selected = g.op('ScatterElements', [g.op('Expand', [g.float32([0]), g.int64([N, E])]), chosen, ones], { attrs: { axis: attr.int(-1) } });
    let routing: string;
    if (scoring === 'softmax-then-topk') {
      routing = g.op('Mul', [probs, selected]);
      if (normTopKProb) routing = g.op('Div', [routing, g.op('ReduceSum', [routing, g.int64([-1])], { attrs: { keepdims: attr.int(1) } })]);
    } else {
      const offTopK = g.op('Mul', [g.op('Sub', [g.float32([1]), selected]), g.float32([-1e9])]);
      routing = g.op('Mul', [g.op('Softmax', [g.op('Add', [logits, offTopK])], { attrs: { axis: attr.int(-1) } }), selected]);
    }
    if (routedScalingFactor !== 1) routing = g.op('Mul', [routing, g.float32([routedScalingFactor])]);
    const columns = g.node('Split', [routing, g.int64(Array(E).fill(1))], { outputs: E, attrs: { axis: attr.int(-1) } });
    let out = '';
    for (let e = 0; e < E; e++) {
      g.scope(`experts.${e}`, () => {
        const w = (name: ExpertWeightName): BaseWeightRef => ({ kind: 'expert', layer, expert: e, name });
        const expert = (v: string) => this.layers.swiglu(v, [w('gate_proj'), w('up_proj'), w('down_proj')], `experts.${e}`);
        if (mode === 'dense') {
          const y = g.op('Mul', [expert(flat), columns[e]]);
          out = out ? g.op('Add', [out, y]) : y;
          return;
        }
        const isChosen = g.op('Greater', [g.op('Reshape', [g.op('Gather', [selected, g.int64([e], [])], { attrs: { axis: attr.int(1) } }), g.int64([-1])]), g.float32([0])]);
        const rows = g.op('Reshape', [g.op('NonZero', [isChosen]), g.int64([-1])]);
        const pick = (v: string) => g.op('Gather', [v, rows], { attrs: { axis: attr.int(0) } });
        const y = g.op('Mul', [expert(pick(flat)), pick(columns[e])]);
        const base = out || g.op('Expand', [g.float32([0]), g.int64([N, H])]);
        out = g.op('ScatterND', [base, g.op('Unsqueeze', [rows, g.int64([1])]), y], { attrs: { reduction: attr.str('add') } });
      });
    }
    if (sharedExpert) {
      g.scope('shared_expert', () => {
        let shared = this.layers.swiglu(flat, [ref('shared_gate_proj'), ref('shared_up_proj'), ref('shared_down_proj')], 'shared_expert');
        if (sharedExpert.gated) shared = g.op('Mul', [shared, g.op('Sigmoid', [this.layers.linear(flat, ref('shared_expert_gate'))])]);
        out = g.op('Add', [out, shared]);
      });
    }
    return { out: g.op('Reshape', [out, g.int64([this.layers.batch, this.layers.seqLen, H])]), stats: { probs, selected } };
  }
}
