import * as tf from '@tensorflow/tfjs';
import type { MoeConfig } from '../../../moe/model/moe-config';
import type { ModelWeights, Tensor } from '../../../moe/model/model-weights';
import { buildRopeCache } from '../../../moe/onnx/decoder/rope-cache';
import type { TrainingBatch, StepResult } from '../engine/lora-step.runner';
import { IGNORE_INDEX } from '../graph/training-losses';
import type { LoraOptions, LoraParameter } from '../lora/lora.options';

/**
 * The same LoRA model written independently in TensorFlow.js, differentiated by its autodiff: the
 * reference our ONNX backward pass is checked against, and the baseline of bench/finetune. It shares
 * only the weights, the rope tables' source and the parameter list with the ONNX graph.
 */
export class TfjsLoraReference {
  private readonly frozen = new Map<string, tf.Tensor>();
  /** Full-width rotary tables [S, D], gathered per token at its position. */
  private readonly cos: tf.Tensor2D;
  private readonly sin: tf.Tensor2D;
  /** Router statistics of the step being taken (plain numbers, for the auxiliary loss). */
  private routing: Array<{ probs: Float32Array; selected: Float32Array }> = [];

  constructor(
    private readonly config: MoeConfig,
    private readonly weights: ModelWeights,
    private readonly lora: LoraOptions,
    private readonly params: readonly LoraParameter[],
    private readonly batch: number,
    private readonly seqLen: number,
  ) {
    const S = seqLen;
    const rope = buildRopeCache(config, S);
    const half = (t: Float32Array) => tf.tensor2d(t, [S, rope.halfDim]);
    this.cos = tf.concat([half(rope.cos), half(rope.cos)], -1);
    this.sin = tf.concat([half(rope.sin), half(rope.sin)], -1);
  }

  /**
   * Loss and gradients of every LoRA parameter for one batch, by tf.grads. Packed rows (position and
   * segment ids) are honoured as the ONNX graph does: rope at each token's position, attention inside
   * its segment. The load-balancing loss is reported, not trained (the router is frozen here).
   */
  step(batch: TrainingBatch, values: ReadonlyMap<string, Float32Array>): StepResult {
    const inputs = this.params.map((p) => tf.tensor2d(values.get(p.name)!, p.dims));
    const byName = new Map(this.params.map((p, i) => [p.name, i]));
    const lossOf = (...xs: tf.Tensor[]) => this.loss(batch, (name) => xs[byName.get(name)!] as tf.Tensor2D | undefined);
    this.routing = [];
    const { value, grads } = tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads(lossOf as (...xs: tf.Tensor[]) => tf.Scalar)(inputs);
      return { value: tf.keep(value), grads: grads.map((g) => tf.keep(g)) };
    });
    const out = new Map<string, Float32Array>();
    this.params.forEach((p, i) => out.set(p.name, grads[i].dataSync() as Float32Array));
    const loss = value.dataSync()[0];
    tf.dispose([value, ...grads, ...inputs]);
    return { loss, auxLoss: this.auxLoss(batch), grads: out };
  }

  /** transformers' load_balancing_loss_func over this step's layers, padding (segment 0) left out; as training-losses.ts. */
  private auxLoss(batch: TrainingBatch): number {
    const E = this.config.moe.numExperts;
    const N = this.batch * this.seqLen;
    if (this.routing.length === 0) return 0;
    const weight = Array.from({ length: N }, (_, i): number => (batch.segmentIds?.[i] === 0 ? 0 : 1));
    const tokens = Math.max(1, weight.reduce((a, b) => a + b, 0)) * this.routing.length;
    let total = 0;
    for (let e = 0; e < E; e++) {
      let f = 0;
      let p = 0;
      for (const { probs, selected } of this.routing) for (let i = 0; i < N; i++) {
        f += weight[i] * selected[i * E + e];
        p += weight[i] * probs[i * E + e];
      }
      total += (f / tokens) * (p / tokens);
    }
    return E * total;
  }

  dispose(): void {
    tf.dispose([...this.frozen.values(), this.cos, this.sin]);
  }

  private weight(key: string, t: Tensor): tf.Tensor2D {
    let w = this.frozen.get(key);
    if (!w) {
      // Kept: first built inside a step's tidy(), which would otherwise dispose the cached weight.
      w = tf.keep(tf.tidy(() => tf.transpose(tf.tensor2d(t.data, [t.shape[0], t.shape[1]]))));
      this.frozen.set(key, w);
    }
    return w as tf.Tensor2D;
  }

  private linear(x: tf.Tensor2D, key: string, t: Tensor, lora: (n: string) => tf.Tensor2D | undefined): tf.Tensor2D {
    const base = tf.matMul(x, this.weight(key, t)) as tf.Tensor2D;
    const a = lora(`lora.${key}.A`);
    const b = lora(`lora.${key}.B`);
    if (!a || !b) return base;
    return tf.add(base, tf.mul(tf.matMul(tf.matMul(x, a), b), this.lora.alpha / this.lora.rank)) as tf.Tensor2D;
  }

  private rmsNorm(x: tf.Tensor, w: Tensor): tf.Tensor {
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.div(x, tf.sqrt(tf.add(ms, this.config.rmsNormEps))), tf.tensor1d(w.data));
  }

  private loss(batch: TrainingBatch, lora: (n: string) => tf.Tensor2D | undefined): tf.Scalar {
    const { config: c, weights: W, batch: B, seqLen: S } = this;
    const N = B * S;
    const ids = tf.tensor1d(batch.inputIds as number[], 'int32');
    const attention = this.attentionInputs(batch);
    let x: tf.Tensor2D = tf.gather(tf.tensor2d(W.global('embed_tokens').data, [...W.global('embed_tokens').shape] as [number, number]), ids);
    for (let l = 0; l < c.numLayers; l++) {
      const h = this.rmsNorm(x, W.layer(l, 'input_norm')) as tf.Tensor2D;
      x = tf.add(x, this.attention(h, l, attention, lora)) as tf.Tensor2D;
      const h2 = this.rmsNorm(x, W.layer(l, 'post_attention_norm')) as tf.Tensor2D;
      x = tf.add(x, this.moe(h2, l, N, lora)) as tf.Tensor2D;
    }
    const logits = tf.matMul(this.rmsNorm(x, W.global('final_norm')) as tf.Tensor2D, this.weight('lm_head', W.global('lm_head')));
    const labels = Array.from(batch.labels);
    const valid = tf.tensor1d(labels.map((v) => (v === IGNORE_INDEX ? 0 : 1)), 'float32');
    const target = tf.oneHot(tf.tensor1d(labels.map((v) => (v === IGNORE_INDEX ? 0 : v)), 'int32'), c.vocabSize);
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), target), -1);
    return tf.div(tf.neg(tf.sum(tf.mul(picked, valid))), Math.max(1, labels.filter((v) => v !== IGNORE_INDEX).length)) as tf.Scalar;
  }

  /**
   * Rope tables gathered at each token's position [B, 1, S, D], and the additive mask [B, 1, S, S]:
   * causal and inside one segment, -1e9 elsewhere (the ONNX graph's attentionInputs).
   */
  private attentionInputs(batch: TrainingBatch): { cos: tf.Tensor; sin: tf.Tensor; mask: tf.Tensor } {
    const [B, S] = [this.batch, this.seqLen];
    const positions = tf.tensor1d(Array.from(batch.positionIds ?? Array.from({ length: B * S }, (_, i) => i % S)), 'int32');
    const table = (t: tf.Tensor2D) => tf.expandDims(tf.reshape(tf.gather(t, positions), [B, S, this.config.headDim]), 1);
    const seg = batch.segmentIds;
    const mask = new Float32Array(B * S * S);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          const same = seg ? seg[b * S + i] === seg[b * S + j] : true;
          mask[(b * S + i) * S + j] = same && j <= i ? 0 : -1e9;
        }
      }
    }
    return { cos: table(this.cos), sin: table(this.sin), mask: tf.tensor4d(mask, [B, 1, S, S]) };
  }

  private attention(x: tf.Tensor2D, l: number, inputs: { cos: tf.Tensor; sin: tf.Tensor; mask: tf.Tensor }, lora: (n: string) => tf.Tensor2D | undefined): tf.Tensor2D {
    const { numHeads: nh, numKvHeads: kv, headDim: d } = this.config;
    const [B, S] = [this.batch, this.seqLen];
    const W = this.weights;
    const proj = (t: 'q_proj' | 'k_proj' | 'v_proj') => this.linear(x, `layers.${l}.self_attn.${t}`, W.layer(l, t), lora);
    const heads = (v: tf.Tensor, n: number) => tf.transpose(tf.reshape(v, [B, S, n, d]), [0, 2, 1, 3]);
    const rotate = (v: tf.Tensor) => {
      const [x1, x2] = tf.split(v, 2, -1);
      return tf.add(tf.mul(v, inputs.cos), tf.mul(tf.concat([tf.neg(x2), x1], -1), inputs.sin));
    };
    // Each query head reads KV head h / (nh / kv), as in Hugging Face's repeat_kv.
    const kvOfHead = tf.tensor1d(Array.from({ length: nh }, (_, h) => Math.floor(h / (nh / kv))), 'int32');
    const repeat = (v: tf.Tensor) => tf.gather(v, kvOfHead, 1);
    const q = rotate(heads(proj('q_proj'), nh));
    const k = repeat(rotate(heads(proj('k_proj'), kv)));
    const v = repeat(heads(proj('v_proj'), kv));
    const scores = tf.add(tf.mul(tf.matMul(q as tf.Tensor4D, k as tf.Tensor4D, false, true), 1 / Math.sqrt(d)), inputs.mask);
    const ctx = tf.matMul(tf.softmax(scores), v as tf.Tensor4D);
    const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * S, nh * d]) as tf.Tensor2D;
    return this.linear(merged, `layers.${l}.self_attn.o_proj`, W.layer(l, 'o_proj'), lora);
  }

  /** Dense routing (every expert on every row, zero weight off the top-k): simple and obviously right. */
  private moe(x: tf.Tensor2D, l: number, N: number, lora: (n: string) => tf.Tensor2D | undefined): tf.Tensor2D {
    const { numExperts: E, topK, normTopKProb } = this.config.moe;
    const probs = tf.softmax(tf.matMul(x, this.weight(`layers.${l}.router`, this.weights.layer(l, 'router'))));
    const probValues = probs.dataSync() as Float32Array;
    const mask = topKMask(probValues, N, E, topK);
    this.routing.push({ probs: Float32Array.from(probValues), selected: mask });
    const selected = tf.tensor2d(mask, [N, E]);
    let routing = tf.mul(probs, selected);
    if (normTopKProb) routing = tf.div(routing, tf.sum(routing, -1, true));
    let out: tf.Tensor2D = tf.zeros([N, this.config.hiddenSize]);
    for (let e = 0; e < E; e++) {
      const key = (t: string) => `layers.${l}.experts.${e}.${t}`;
      const gate = this.linear(x, key('gate_proj'), this.weights.expert(l, e, 'gate_proj'), lora);
      const up = this.linear(x, key('up_proj'), this.weights.expert(l, e, 'up_proj'), lora);
      const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
      const y = this.linear(act, key('down_proj'), this.weights.expert(l, e, 'down_proj'), lora);
      out = tf.add(out, tf.mul(y, tf.slice(routing, [0, e], [N, 1])));
    }
    return out;
  }
}

/**
 * The top-k choice read out of the tape as plain numbers: it is piecewise constant and carries no
 * gradient (tfjs has no TopK gradient either). Ties go to the lower expert index, as in ONNX TopK.
 */
function topKMask(probs: Float32Array, rows: number, experts: number, k: number): Float32Array {
  const mask = new Float32Array(rows * experts);
  for (let r = 0; r < rows; r++) {
    const order = Array.from({ length: experts }, (_, e) => e).sort((a, b) => probs[r * experts + b] - probs[r * experts + a] || a - b);
    for (const e of order.slice(0, k)) mask[r * experts + e] = 1;
  }
  return mask;
}
