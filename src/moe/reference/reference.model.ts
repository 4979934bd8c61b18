import { MoeError } from '../moe.errors';
import type { CausalLm } from '../model/causal-lm';
import type { ExpertWeightName, LayerWeightName, ModelWeights, Tensor } from '../model/model-weights';
import type { MoeConfig } from '../model/moe-config';
import { ExpertCallCounter } from './expert-call.counter';
import { applyRope, ropeParameters, RopeParameters } from './rope';
import { routeToken } from './router';
import { addInto, matVec, rmsNorm, sigmoid, swiglu } from './tensor-math';

export interface ReferenceModelOptions {
  /** Keep tensors in memory after first use (default true). Off, each forward re-reads them from disk. */
  cacheWeights?: boolean;
  /** Receives every routing decision and expert call. */
  counter?: ExpertCallCounter;
}

/** Keys and values of one layer, one Float32Array of numKvHeads*headDim per cached position. */
interface LayerCache {
  keys: Float32Array[];
  values: Float32Array[];
}

/**
 * The plain-TypeScript forward pass: float32 storage, float64 sums, one token row at a time. Slow on
 * purpose and written to be read against the Hugging Face modelling code; tests and `zhiku model check`
 * hold the ONNX graph to it.
 *
 * Layer by layer: h += attn(norm(h)); h += ffn(norm(h)), where ffn is a routed MoE block (each expert
 * runs only on the rows routed to it) plus an optional shared expert, or a dense SwiGLU MLP.
 */
export class ReferenceCausalLm implements CausalLm {
  private cache: LayerCache[] = [];
  private readonly tensors = new Map<string, Tensor>();
  private readonly cacheWeights: boolean;
  readonly counter: ExpertCallCounter;

  constructor(
    readonly config: MoeConfig,
    private readonly weights: ModelWeights,
    options: ReferenceModelOptions = {},
  ) {
    this.cacheWeights = options.cacheWeights ?? true;
    this.counter = options.counter ?? new ExpertCallCounter();
    this.reset();
  }

  get cachedLength(): number {
    return this.cache[0].keys.length;
  }

  reset(): void {
    this.cache = Array.from({ length: this.config.numLayers }, () => ({ keys: [], values: [] }));
  }

  async dispose(): Promise<void> {
    this.tensors.clear();
    this.weights.close();
  }

  async forward(ids: readonly number[], options: { allLogits?: boolean } = {}): Promise<Float32Array> {
    const { vocabSize, hiddenSize } = this.config;
    if (ids.length === 0) throw new MoeError('forward needs at least one token id');
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new MoeError(`token id ${id} is outside the vocabulary (0..${vocabSize - 1})`);
    }
    const start = this.cachedLength;
    const embed = this.tensor('embed', () => this.weights.global('embed_tokens'));
    let hidden: Float32Array[] = ids.map((id) => embed.data.slice(id * hiddenSize, (id + 1) * hiddenSize));
    const rope = ropeParameters(this.config, start + ids.length);
    try {
      hidden = this.layers(hidden, start, rope);
    } catch (error) {
      // A failed call (say, a tensor missing on disk) must not leave half its tokens in the cache.
      for (const layerCache of this.cache) {
        layerCache.keys.length = Math.min(layerCache.keys.length, start);
        layerCache.values.length = Math.min(layerCache.values.length, start);
      }
      throw error;
    }
    if (!this.cacheWeights) this.tensors.clear();
    const rows = options.allLogits ? hidden : hidden.slice(-1);
    const finalNorm = this.tensor('final_norm', () => this.weights.global('final_norm'));
    const lmHead = this.tensor('lm_head', () => this.weights.global('lm_head'));
    const logits = new Float32Array(rows.length * vocabSize);
    rows.forEach((h, t) => logits.set(matVec(lmHead, rmsNorm(h, finalNorm.data, this.config.rmsNormEps)), t * vocabSize));
    return logits;
  }

  private layers(hidden: Float32Array[], start: number, rope: RopeParameters): Float32Array[] {
    for (let layer = 0; layer < this.config.numLayers; layer++) {
      const normed = hidden.map((h) => rmsNorm(h, this.layer(layer, 'input_norm').data, this.config.rmsNormEps));
      const attended = this.attention(layer, normed, start, rope);
      hidden = hidden.map((h, t) => (addInto(h, attended[t]), h));
      const normed2 = hidden.map((h) => rmsNorm(h, this.layer(layer, 'post_attention_norm').data, this.config.rmsNormEps));
      const ffn = this.config.layerKinds[layer] === 'dense' ? normed2.map((x) => this.denseMlp(layer, x)) : this.moeBlock(layer, normed2, start);
      hidden = hidden.map((h, t) => (addInto(h, ffn[t]), h));
    }
    return hidden;
  }

  /** Grouped-query attention with a causal mask over the cache plus the new rows. */
  private attention(layer: number, rows: Float32Array[], start: number, rope: RopeParameters): Float32Array[] {
    const { numHeads, numKvHeads, headDim, qkNorm, rmsNormEps, attentionBias } = this.config;
    const bias = (name: LayerWeightName) => (attentionBias ? this.layer(layer, name) : undefined);
    const cache = this.cache[layer];
    const queries = rows.map((x, t) => {
      let q = matVec(this.layer(layer, 'q_proj'), x, bias('q_bias'));
      let k = matVec(this.layer(layer, 'k_proj'), x, bias('k_bias'));
      const v = matVec(this.layer(layer, 'v_proj'), x, bias('v_bias'));
      if (qkNorm) {
        const size = qkNorm === 'per-head' ? headDim : undefined;
        q = rmsNorm(q, this.layer(layer, 'q_norm').data, rmsNormEps, size);
        k = rmsNorm(k, this.layer(layer, 'k_norm').data, rmsNormEps, size);
      }
      for (let h = 0; h < numHeads; h++) applyRope(q, h * headDim, headDim, start + t, rope);
      for (let h = 0; h < numKvHeads; h++) applyRope(k, h * headDim, headDim, start + t, rope);
      cache.keys.push(k);
      cache.values.push(v);
      return q;
    });
    const scale = 1 / Math.sqrt(headDim);
    const group = numHeads / numKvHeads;
    return queries.map((q, t) => {
      const visible = start + t + 1;
      const out = new Float32Array(numHeads * headDim);
      for (let h = 0; h < numHeads; h++) {
        const kvOffset = Math.floor(h / group) * headDim;
        const scores = new Float64Array(visible);
        let max = -Infinity;
        for (let j = 0; j < visible; j++) {
          let dot = 0;
          for (let i = 0; i < headDim; i++) dot += q[h * headDim + i] * cache.keys[j][kvOffset + i];
          scores[j] = dot * scale;
          max = Math.max(max, scores[j]);
        }
        let total = 0;
        for (let j = 0; j < visible; j++) total += scores[j] = Math.exp(scores[j] - max);
        for (let j = 0; j < visible; j++) {
          const w = scores[j] / total;
          for (let i = 0; i < headDim; i++) out[h * headDim + i] += w * cache.values[j][kvOffset + i];
        }
      }
      return matVec(this.layer(layer, 'o_proj'), out);
    });
  }

  /** Routes each row, runs each expert once over only the rows routed to it, scatters weighted outputs back. */
  private moeBlock(layer: number, rows: Float32Array[], start: number): Float32Array[] {
    const { moe, hiddenSize } = this.config;
    const out = rows.map(() => new Float32Array(hiddenSize));
    const routedRows = new Map<number, { row: number; weight: number }[]>();
    rows.forEach((x, t) => {
      const logits = matVec(this.layer(layer, 'router'), x);
      const decision = routeToken(logits, moe);
      this.counter.recordRouting({ layer, position: start + t, routerLogits: logits, experts: decision.experts });
      decision.experts.forEach((e, i) => {
        if (!routedRows.has(e)) routedRows.set(e, []);
        routedRows.get(e)!.push({ row: t, weight: decision.weights[i] });
      });
    });
    for (const [expert, routed] of [...routedRows.entries()].sort((a, b) => a[0] - b[0])) {
      this.counter.recordCall({ layer, expert, positions: routed.map((r) => start + r.row) });
      const w = (name: ExpertWeightName) => this.tensor(`${layer}.${expert}.${name}`, () => this.weights.expert(layer, expert, name));
      for (const { row, weight } of routed) addInto(out[row], swiglu(w('gate_proj'), w('up_proj'), w('down_proj'), rows[row]), weight);
    }
    if (moe.sharedExpert) {
      rows.forEach((x, t) => {
        const shared = swiglu(this.layer(layer, 'shared_gate_proj'), this.layer(layer, 'shared_up_proj'), this.layer(layer, 'shared_down_proj'), x);
        const gate = moe.sharedExpert!.gated ? sigmoid(matVec(this.layer(layer, 'shared_expert_gate'), x)[0]) : 1;
        addInto(out[t], shared, gate);
      });
    }
    return out;
  }

  private denseMlp(layer: number, x: Float32Array): Float32Array {
    return swiglu(this.layer(layer, 'dense_gate_proj'), this.layer(layer, 'dense_up_proj'), this.layer(layer, 'dense_down_proj'), x);
  }

  private layer(layer: number, name: LayerWeightName): Tensor {
    return this.tensor(`${layer}.${name}`, () => this.weights.layer(layer, name));
  }

  private tensor(key: string, load: () => Tensor): Tensor {
    let tensor = this.tensors.get(key);
    if (!tensor) {
      tensor = load();
      this.tensors.set(key, tensor);
    }
    return tensor;
  }
}
