import type { MoeConfig } from '../../../moe/model/moe-config';
import type { ModelWeights } from '../../../moe/model/model-weights';
import { attr } from '../../../moe/onnx/onnx-graph';
import type { ExternalDataWriter } from '../../../moe/onnx/external-data.writer';
import { OnnxDataType } from '../../../moe/onnx/onnx-proto';
import { buildRopeCache } from '../../../moe/onnx/decoder/rope-cache';
import { buildBackward } from '../autodiff/backward';
import { TapeGraph } from '../autodiff/tape-graph';
import { TrainingOptionsError } from '../training.errors';
import { LoraLayersEmitter, type ExpertMode } from './lora-layers.emitter';
import { loraParameters, type LoraOptions, type LoraParameter } from './lora.options';

export interface TrainingGraphOptions {
  lora: LoraOptions;
  batch: number;
  seqLen: number;
  /** Default 'sparse': 8x faster than dense at 8.7 M parameters, slower only on toy sizes (docs/finetune-training.md). */
  experts?: ExpertMode;
}

export interface TrainingGraph {
  /** The serialised ModelProto: inputs input_ids, labels [B,S] int64 and every LoRA parameter; outputs loss and grad.<param>. */
  bytes: Uint8Array;
  params: LoraParameter[];
  nodeCount: number;
}

/** Value of a label that the loss ignores (prompt tokens, padding), as in Hugging Face and PyTorch. */
export const IGNORE_INDEX = -100;

/**
 * The LoRA training graph of a Mixtral-style decoder: forward pass, the mean cross-entropy over the
 * labelled positions, and reverse-mode gradients of every LoRA parameter, all in one ONNX graph.
 * labels[b, t] is the target for position t (already shifted by the caller); IGNORE_INDEX masks it.
 */
export function buildLoraTrainingGraph(
  config: MoeConfig,
  weights: ModelWeights,
  options: TrainingGraphOptions,
  /** Where frozen weights go; null keeps them inside the ModelProto (fine for tests, not for big models). */
  external: ExternalDataWriter | null = null,
): TrainingGraph {
  refuseUnsupported(config);
  const { batch: B, seqLen: S } = options;
  if (!Number.isInteger(B) || B < 1 || !Number.isInteger(S) || S < 1) throw new TrainingOptionsError(`batch and sequence length must be positive integers, got ${B} × ${S}`);
  const params = loraParameters(config, options.lora);
  const g = new TapeGraph(external);
  const ids = g.input('input_ids', OnnxDataType.INT64, [B, S]);
  const labels = g.input('labels', OnnxDataType.INT64, [B, S]);
  const adapters = new Map<string, { a: string; b: string }>();
  for (const p of params) {
    g.input(p.name, OnnxDataType.FLOAT, p.dims);
    const key = `${p.layer}.${p.expert === null ? 'self_attn' : `experts.${p.expert}`}.${p.target}`;
    const entry = adapters.get(key) ?? { a: '', b: '' };
    entry[p.half === 'A' ? 'a' : 'b'] = p.name;
    adapters.set(key, entry);
  }
  const emit = new LoraLayersEmitter(g, config, weights, adapters, options.lora.alpha / options.lora.rank, B, S);
  const rope = ropeTables(g, config, S);

  const embed = weights.global('embed_tokens');
  let x = g.op('Gather', [g.floatWeight('/model/embed_tokens/weight', [...embed.shape], embed.data), ids], { attrs: { axis: attr.int(0) } });
  for (let layer = 0; layer < config.numLayers; layer++) {
    g.scope(`model/layers.${layer}`, () => {
      const normed = g.scope('input_norm', () => emit.rmsNorm(x, weights.layer(layer, 'input_norm')));
      x = g.op('Add', [x, g.scope('attn', () => emit.attention(normed, layer, rope))]);
      const normed2 = g.scope('post_attention_norm', () => emit.rmsNorm(x, weights.layer(layer, 'post_attention_norm')));
      x = g.op('Add', [x, g.scope('moe', () => emit.moe(normed2, layer, options.experts ?? 'sparse'))]);
    });
  }
  const loss = g.scope('loss', () => {
    const h = g.scope('final_norm', () => emit.rmsNorm(x, weights.global('final_norm')));
    const logits = emit.lmHead(h, weights.global('lm_head'));
    return maskedCrossEntropy(g, logits, labels);
  });
  const grads = buildBackward(g, loss, params.map((p) => p.name));
  g.alias(loss, 'loss');
  g.output('loss', OnnxDataType.FLOAT, []);
  params.forEach((p, i) => {
    g.alias(grads[i], `grad.${p.name}`);
    g.output(`grad.${p.name}`, OnnxDataType.FLOAT, p.dims);
  });
  return { bytes: g.toBytes('lora_training', { 'zhiku.training': 'lora' }), params, nodeCount: g.nodeCount };
}

/** cos/sin [S, D] (halves repeated, rotate-half form) and the additive causal mask [S, S], as constants. */
function ropeTables(g: TapeGraph, config: MoeConfig, S: number): { cos: string; sin: string; mask: string } {
  const cache = buildRopeCache(config, S);
  const d = config.headDim;
  const full = (half: Float32Array) => {
    const out = new Float32Array(S * d);
    for (let p = 0; p < S; p++) for (let i = 0; i < d; i++) out[p * d + i] = half[p * cache.halfDim + (i % cache.halfDim)];
    return out;
  };
  const mask = new Float32Array(S * S);
  // A large finite value, not -inf: a fully masked row never occurs, and -inf times a zero gradient would be NaN.
  for (let r = 0; r < S; r++) for (let c = r + 1; c < S; c++) mask[r * S + c] = -1e9;
  return {
    cos: g.floatWeight('/model/rotary/cos', [S, d], full(cache.cos)),
    sin: g.floatWeight('/model/rotary/sin', [S, d], full(cache.sin)),
    mask: g.floatWeight('/model/causal_mask', [S, S], mask),
  };
}

/** Mean of -log p(label) over positions whose label is not IGNORE_INDEX (0 when there are none). */
function maskedCrossEntropy(g: TapeGraph, logits: string, labels: string): string {
  const valid = g.op('Not', [g.op('Equal', [labels, g.int64([IGNORE_INDEX], [])])]);
  const safe = g.op('Where', [valid, labels, g.int64([0], [])]);
  const logp = g.op('LogSoftmax', [logits], { attrs: { axis: attr.int(-1) } });
  const picked = g.op('GatherElements', [logp, g.op('Unsqueeze', [safe, g.int64([-1])])], { attrs: { axis: attr.int(-1) } });
  const weight = g.op('Cast', [g.op('Unsqueeze', [valid, g.int64([-1])])], { attrs: { to: attr.int(OnnxDataType.FLOAT) } });
  const count = g.op('Max', [g.op('ReduceSum', [weight], { attrs: { keepdims: attr.int(0) } }), g.float32([1])]);
  const total = g.op('ReduceSum', [g.op('Mul', [picked, weight])], { attrs: { keepdims: attr.int(0) } });
  return g.op('Neg', [g.op('Div', [total, count])]);
}

function refuseUnsupported(config: MoeConfig): void {
  const problems: string[] = [];
  if (config.moe.sharedExpert) problems.push('shared experts');
  if (config.qkNorm) problems.push('q/k norms');
  if (config.attentionBias) problems.push('attention biases');
  if (config.layerKinds.some((k) => k !== 'moe')) problems.push('dense MLP layers');
  if (config.moe.scoring !== 'softmax-then-topk') problems.push(`router scoring ${config.moe.scoring}`);
  if (config.moe.routedScalingFactor !== 1) problems.push('a routed scaling factor');
  if (problems.length > 0) {
    throw new TrainingOptionsError(
      `the LoRA training graph covers Mixtral-style decoders (softmax-then-top-k routing, no shared experts); ` +
        `this ${config.architecture} checkpoint has ${problems.join(', ')}, which it does not build yet`,
    );
  }
}
