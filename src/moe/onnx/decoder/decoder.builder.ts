import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExpertWeightName, LayerWeightName, ModelWeights } from '../../model/model-weights';
import type { MoeConfig } from '../../model/moe-config';
import { ExternalDataWriter } from '../external-data.writer';
import { attr, OnnxGraph } from '../onnx-graph';
import { OnnxDataType } from '../onnx-proto';
import {
  groupQueryAttention,
  makeAttentionContext,
  standardAttention,
  type AttentionContext,
} from './attention.emitter';
import { LinearEmitter, type PlannedWeight } from './linear.emitter';
import { fusedMoe, route, sparseExperts, swiGlu, type FfnWeights } from './moe.emitter';
import { rmsNorm, skipRmsNorm } from './norm.emitter';
import { buildRopeCache } from './rope-cache';
import { FLOAT32_PLAN, type TensorClass, type WeightPlan } from './weight-plan';

export interface DecoderBuildOptions {
  /** Use ONNX Runtime contrib ops (GroupQueryAttention, (Skip)SimplifiedLayerNormalization). Default true. */
  contribOps?: boolean;
  /**
   * Routed experts as one com.microsoft.MoE node ('fused', float weights only) or as routed rows
   * sorted and split into one block per expert ('sparse', the default: measured 2x faster than
   * ONNX Runtime 1.30's CPU MoE kernel on the Mixtral shape, see docs/moe-onnx.md).
   */
  experts?: 'sparse' | 'fused';
  plan?: WeightPlan;
  /** Rows of the rotary tables, i.e. the longest sequence the graph accepts. Default: config, capped at 32768. */
  maxPositions?: number;
  /**
   * How GroupQueryAttention keeps the KV cache. 'shared' (default): past and present are one buffer
   * of the cache's capacity that the runtime passes as both, so each step writes only its new rows
   * in place, and the cached length is the `past_sequence_length` input. 'concat': present is a new
   * tensor past ++ this run, copied every step (the standard-attention path always works this way).
   */
  kvCache?: 'shared' | 'concat';
  onLayer?: (layer: number, layers: number) => void;
}

export interface BuiltModel {
  modelPath: string;
  dataPath: string;
  bytes: number;
  opCounts: Map<string, number>;
}

/** The residual stream between steps: with fused norms the last delta is added by the next norm. */
export interface Stream {
  residual: string;
  delta: string | null;
}

/** Names of the graph's inputs and outputs, shared with the runtime. */
export const GRAPH_IO = {
  inputIds: 'input_ids',
  logitPositions: 'logit_positions',
  logits: 'logits',
  /** Shared KV cache only: rows of the cache already filled, int64 scalar. */
  pastLength: 'past_sequence_length',
  pastKey: (l: number) => `past_key_values.${l}.key`,
  pastValue: (l: number) => `past_key_values.${l}.value`,
  presentKey: (l: number) => `present.${l}.key`,
  presentValue: (l: number) => `present.${l}.value`,
};

/**
 * Builds a decoder-only MoE graph, batch 1, with a KV cache:
 *   inputs  input_ids [1,S] int64, logit_positions [n] int64 (rows of this run to project to logits),
 *           past_key_values.L.key/value [1,KV,P,D]
 *   outputs logits [1,n,vocab], present.L.key/value [1,KV,P+S,D]
 * or, with the shared KV cache (GroupQueryAttention), past_sequence_length (int64 scalar P) and
 * past/present [1,KV,capacity,D] being the same buffer, written in place.
 * A layer reads norm → attention → norm → MoE (or dense MLP); an architecture overrides the steps
 * that differ. Weights are read layer by layer and written straight to the external data file.
 */
export class DecoderBuilder {
  protected readonly contrib: boolean;
  protected readonly plan: WeightPlan;
  protected g!: OnnxGraph;
  protected linear!: LinearEmitter;
  protected attention!: AttentionContext;

  constructor(
    protected readonly config: MoeConfig,
    protected readonly weights: ModelWeights,
    protected readonly options: DecoderBuildOptions = {},
  ) {
    this.contrib = options.contribOps ?? true;
    this.plan = options.plan ?? FLOAT32_PLAN;
  }

  /** Writes `<dir>/model.onnx` and `<dir>/model.onnx.data`. */
  build(dir: string): BuiltModel {
    fs.mkdirSync(dir, { recursive: true });
    const modelPath = path.join(dir, 'model.onnx');
    const dataPath = `${modelPath}.data`;
    const writer = new ExternalDataWriter(dataPath);
    try {
      this.g = new OnnxGraph(writer, 21);
      this.g.useDomain('com.microsoft', 1);
      this.linear = new LinearEmitter(this.g, this.plan);
      const { ids, positions } = this.makeInputs();
      let stream: Stream = { residual: this.g.scope('model', () => this.makeEmbedding(ids)), delta: null };
      for (let l = 0; l < this.config.numLayers; l++) {
        stream = this.g.scope('model', () => this.g.scope(`layers.${l}`, () => this.makeLayer(l, stream)));
        this.options.onLayer?.(l + 1, this.config.numLayers);
      }
      const hidden = this.g.scope('model', () =>
        this.g.scope('norm', () => this.makeNorm(stream, this.weights.global('final_norm').data).normed),
      );
      this.makeLmHead(hidden, positions);
    } finally {
      writer.close();
    }
    const bytes = this.g.toBytes(`zhiku-${this.config.architecture}`, { architecture: this.config.architecture });
    fs.writeFileSync(modelPath, bytes);
    return { modelPath, dataPath, bytes: bytes.byteLength + writer.bytesWritten, opCounts: this.g.opCounts() };
  }

  protected makeInputs(): { ids: string; positions: string } {
    const { numKvHeads, headDim, numLayers } = this.config;
    const ids = this.g.input(GRAPH_IO.inputIds, OnnxDataType.INT64, [1, 'sequence']);
    const positions = this.g.input(GRAPH_IO.logitPositions, OnnxDataType.INT64, ['logit_count']);
    const pastLength = this.sharedKvCache() ? this.g.input(GRAPH_IO.pastLength, OnnxDataType.INT64, []) : null;
    const cacheShape = [1, numKvHeads, this.sharedKvCache() ? 'cache_capacity' : 'past_sequence', headDim];
    for (let l = 0; l < numLayers; l++) {
      this.g.input(GRAPH_IO.pastKey(l), OnnxDataType.FLOAT, cacheShape);
      this.g.input(GRAPH_IO.pastValue(l), OnnxDataType.FLOAT, cacheShape);
    }
    const maxPositions = this.options.maxPositions ?? Math.min(this.config.maxPositionEmbeddings, 32768);
    const rope = buildRopeCache(this.config, maxPositions);
    this.attention = makeAttentionContext(this.g, this.config, rope, ids, pastLength ?? { shapeOf: GRAPH_IO.pastKey(0) }, this.fusedAttention());
    return { ids, positions };
  }

  protected makeEmbedding(ids: string): string {
    return this.g.scope('embed_tokens', () =>
      this.linear.gather(ids, { tensor: this.weights.global('embed_tokens'), ref: { kind: 'global', name: 'embed_tokens' }, cls: 'embedding' }),
    );
  }

  /** norm → attention → norm → MoE or dense MLP. */
  protected makeLayer(layer: number, stream: Stream): Stream {
    const pre = this.g.scope('input_layernorm', () => this.makeNorm(stream, this.weights.layer(layer, 'input_norm').data));
    const attn = this.g.scope('attn', () => this.makeAttention(layer, pre.normed));
    const post = this.g.scope('post_attention_layernorm', () =>
      this.makeNorm({ residual: pre.residual, delta: attn }, this.weights.layer(layer, 'post_attention_norm').data),
    );
    const mlp =
      this.config.layerKinds[layer] === 'dense'
        ? this.g.scope('mlp', () => this.makeDenseMlp(layer, post.normed))
        : this.g.scope('moe', () => this.makeMoe(layer, post.normed));
    return { residual: post.residual, delta: mlp };
  }

  /** Adds the pending delta to the residual stream and normalises it. */
  protected makeNorm(stream: Stream, weight: Float32Array): { normed: string; residual: string } {
    const eps = this.config.rmsNormEps;
    if (stream.delta === null) return { normed: rmsNorm(this.g, stream.residual, weight, eps, this.contrib), residual: stream.residual };
    if (this.contrib) {
      const { normed, sum } = skipRmsNorm(this.g, stream.delta, stream.residual, weight, eps);
      return { normed, residual: sum };
    }
    const residual = this.g.op('Add', [stream.residual, stream.delta]);
    return { normed: rmsNorm(this.g, residual, weight, eps, false), residual };
  }

  protected makeAttention(layer: number, x: string): string {
    const project = (name: 'q' | 'k' | 'v') =>
      this.g.scope(`${name}_proj`, () => {
        const y = this.linear.matmul(x, this.layerWeight(layer, `${name}_proj`, 'attention'));
        return this.weights.hasLayer(layer, `${name}_bias`) ? this.linear.addBias(y, this.weights.layer(layer, `${name}_bias`)) : y;
      });
    let q = project('q');
    let k = project('k');
    const v = project('v');
    if (this.config.qkNorm) [q, k] = this.makeQkNorm(layer, q, k);
    const emit = this.fusedAttention() ? groupQueryAttention : standardAttention;
    const result = emit(this.g, this.attention, q, k, v, GRAPH_IO.pastKey(layer), GRAPH_IO.pastValue(layer));
    this.g.alias(result.presentKey, GRAPH_IO.presentKey(layer));
    this.g.alias(result.presentValue, GRAPH_IO.presentValue(layer));
    const cacheShape = [1, this.config.numKvHeads, this.sharedKvCache() ? 'cache_capacity' : 'total_sequence', this.config.headDim];
    this.g.output(GRAPH_IO.presentKey(layer), OnnxDataType.FLOAT, cacheShape);
    this.g.output(GRAPH_IO.presentValue(layer), OnnxDataType.FLOAT, cacheShape);
    return this.g.scope('o_proj', () => this.linear.matmul(result.output, this.layerWeight(layer, 'o_proj', 'attention')));
  }

  /** RMSNorm of queries and keys before RoPE: per head (Qwen3) or over the whole projection (OLMoE). */
  protected makeQkNorm(layer: number, q: string, k: string): [string, string] {
    const { numHeads, numKvHeads, headDim, rmsNormEps } = this.config;
    const norm = (x: string, name: 'q_norm' | 'k_norm', heads: number) =>
      this.g.scope(name, () => {
        const w = this.weights.layer(layer, name).data;
        if (this.config.qkNorm === 'full') return rmsNorm(this.g, x, w, rmsNormEps, this.contrib);
        const perHead = this.g.op('Reshape', [x, this.g.int64([1, -1, heads, headDim])]);
        const normed = rmsNorm(this.g, perHead, w, rmsNormEps, this.contrib);
        return this.g.op('Reshape', [normed, this.g.int64([1, -1, heads * headDim])]);
      });
    return [norm(q, 'q_norm', numHeads), norm(k, 'k_norm', numKvHeads)];
  }

  /**
   * Routed experts plus the optional shared expert:
   *   x ─Reshape[N,H]─router─┬─ sparse experts (or fused MoE) ─┐
   *                          └─ shared expert · sigmoid(gate) ─Add─Reshape[1,S,H]
   */
  protected makeMoe(layer: number, x: string): string {
    const { hiddenSize, moe } = this.config;
    const rows = this.g.op('Reshape', [x, this.g.int64([-1, hiddenSize])]);
    const logits = this.g.scope('router', () => this.linear.matmul(rows, this.layerWeight(layer, 'router', 'router')));
    const expert = (e: number): FfnWeights => ({
      gate: this.expertWeight(layer, e, 'gate_proj', 'expert_gate_up'),
      up: this.expertWeight(layer, e, 'up_proj', 'expert_gate_up'),
      down: this.expertWeight(layer, e, 'down_proj', 'expert_down'),
    });
    const fused = this.options.experts === 'fused' && this.plan.float;
    const float16 = this.plan.precisionOf({ kind: 'expert', layer, expert: 0, name: 'gate_proj' }, 'expert_gate_up').bits === 16;
    let out = fused
      ? fusedMoe(this.g, rows, logits, moe, hiddenSize, expert, float16)
      : sparseExperts(this.g, this.linear, rows, route(this.g, logits, moe), moe.numExperts, moe.topK, expert);
    if (moe.sharedExpert) out = this.g.op('Add', [out, this.g.scope('shared_expert', () => this.makeSharedExpert(layer, rows))]);
    return this.g.op('Reshape', [out, this.g.int64([1, -1, hiddenSize])]);
  }

  /** GroupQueryAttention's CPU kernel needs head_dim a multiple of 16; smaller heads use the standard path. */
  protected fusedAttention(): boolean {
    return this.contrib && this.config.headDim % 16 === 0;
  }

  /** Only GroupQueryAttention can write into its past buffer; the standard path concatenates. */
  protected sharedKvCache(): boolean {
    return this.fusedAttention() && (this.options.kvCache ?? 'shared') === 'shared';
  }

  protected makeSharedExpert(layer: number, x: string): string {
    const y = swiGlu(this.g, this.linear, x, {
      gate: this.layerWeight(layer, 'shared_gate_proj', 'shared_expert'),
      up: this.layerWeight(layer, 'shared_up_proj', 'shared_expert'),
      down: this.layerWeight(layer, 'shared_down_proj', 'shared_expert'),
    });
    if (!this.config.moe.sharedExpert?.gated) return y;
    const gate = this.g.scope('expert_gate', () =>
      this.linear.matmul(x, this.layerWeight(layer, 'shared_expert_gate', 'router')),
    );
    return this.g.op('Mul', [y, this.g.op('Sigmoid', [gate])]);
  }

  protected makeDenseMlp(layer: number, x: string): string {
    return swiGlu(this.g, this.linear, x, {
      gate: this.layerWeight(layer, 'dense_gate_proj', 'dense_mlp'),
      up: this.layerWeight(layer, 'dense_up_proj', 'dense_mlp'),
      down: this.layerWeight(layer, 'dense_down_proj', 'dense_mlp'),
    });
  }

  /** Projects only the requested rows: prefill needs the last position, a perplexity run all of them. */
  protected makeLmHead(hidden: string, positions: string): void {
    const picked = this.g.op('Gather', [hidden, positions], { attrs: { axis: attr.int(1) } });
    const head: PlannedWeight = { tensor: this.weights.global('lm_head'), ref: { kind: 'global', name: 'lm_head' }, cls: 'lm_head' };
    const logits = this.g.scope('lm_head', () => this.linear.matmul(picked, head));
    this.g.alias(logits, GRAPH_IO.logits);
    this.g.output(GRAPH_IO.logits, OnnxDataType.FLOAT, [1, 'logit_count', this.config.vocabSize]);
  }

  protected layerWeight(layer: number, name: LayerWeightName, cls: TensorClass): PlannedWeight {
    return { tensor: this.weights.layer(layer, name), ref: { kind: 'layer', layer, name }, cls };
  }

  protected expertWeight(layer: number, expert: number, name: ExpertWeightName, cls: TensorClass): PlannedWeight {
    return { tensor: this.weights.expert(layer, expert, name), ref: { kind: 'expert', layer, expert, name }, cls };
  }
}
