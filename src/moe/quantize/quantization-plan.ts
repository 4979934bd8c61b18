import type { MoeConfig } from '../model/moe-config';
import { type ModelTensor, type TensorClass, type WeightRef, modelTensors, weightKey } from './model-tensors';
import { type QuantMethod, type QuantSpec, QuantizationError, blocksPerCol, validateSpec, zeroPointRowBytes } from './quantize.types';

/** Stored precision of one tensor: float32, float16, or n-bit codes (3 is packed at rest, 4-bit at run time). */
export type PlanBits = 32 | 16 | 8 | 4 | 3 | 2;

export type OverridableClass = Exclude<TensorClass, 'vector'>;

export interface QuantizationMode {
  /** Requested width. 3 has no kernel: see `int3`. */
  bits: 8 | 4 | 3 | 2;
  /**
   * Group (block) size along K for every quantized tensor: 32, 64 or 128 (2-bit tensors: see
   * `group2`). Omitted: each tensor gets DEFAULT_GROUP for its kernel width, fitted to its K.
   */
  group?: number;
  symmetric: boolean;
  /** Widths per class that replace the recipe's, for every tensor of the class. */
  overrides?: Partial<Record<OverridableClass, PlanBits>>;
  /**
   * How 3 bits are realised. 'mix' (default): 2-, 4- and 8-bit kernels, ~3 bits a weight on average,
   * more bits where they matter. 'packed': expert matrices stored at 3 bits (disk), widened to 4-bit
   * MatMulNBits at load (memory and speed of 4-bit, accuracy of 3-bit).
   */
  int3?: 'mix' | 'packed';
  /** Default: 'search' for 2-, 3- and 4-bit tensors, 'rtn' for 8 (where search gains under 5% and costs 3x). */
  method?: QuantMethod;
  /**
   * Group size of 2-bit tensors. Default: the larger of `group` and 128 (or K's largest power of two
   * when K is under 128), because ONNX Runtime 1.30's
   * 2-bit MatMulNBits on CPU runs 2-2.5x slower at group 32 than 4-bit does, but about as fast at 128,
   * for ~10% more weight error (docs/moe-quantization.md).
   */
  group2?: number;
}

/**
 * Group size per kernel width when the mode names none (3-bit packed runs as 4). Chosen from held-out
 * perplexity of a trained MoE at each width and group, and decode CPU time per token of the 640 M
 * benchmark model (docs/moe-quantization.md, "Group size").
 */
export const DEFAULT_GROUP: Readonly<Record<8 | 4 | 2, number>> = { 8: 128, 4: 64, 2: 128 };

/** The group a mode names for its main width: the explicit one, or the default of the routed experts' kernel. */
export function modeGroup(mode: Pick<QuantizationMode, 'bits' | 'group'>): number {
  return mode.group ?? DEFAULT_GROUP[mode.bits === 3 ? 4 : mode.bits];
}

/**
 * A default group fitted to K: the largest power of two from `preferred` down to 32 that divides K, so
 * no block is padding (at hidden 192, group 128 would store 256 codes a row) and a quantized embedding
 * keeps GatherBlockQuantized; else `preferred` capped at K's largest power of two.
 */
function fittedGroup(preferred: number, k: number): number {
  for (let g = preferred; g >= 32; g /= 2) if (k % g === 0) return g;
  return Math.max(16, Math.min(preferred, 2 ** Math.floor(Math.log2(k))));
}

export interface PlannedTensor extends ModelTensor {
  bits: PlanBits;
  /** What the graph runs: 3-bit is widened to 4; 32/16 are float MatMul or Gather. */
  kernelBits: 32 | 16 | 8 | 4 | 2;
  /** How to quantize it; null when it stays float. */
  spec: QuantSpec | null;
  /** Bytes in the saved model (codes, scales, zero points; or float data). */
  diskBytes: number;
  /** Bytes once loaded (3-bit widened to 4-bit). */
  loadedBytes: number;
}

export interface QuantizationPlan {
  mode: QuantizationMode;
  tensors: PlannedTensor[];
  totalParams: number;
  /** Mean code width over all parameters (float tensors count 32 or 16); the "bits per weight" of the mode's name. */
  averageBits: number;
  /** Mean stored bits including scales and zero points, as saved. */
  diskBitsPerWeight: number;
  /** Mean bits once loaded (3-bit packed widened to 4). */
  loadedBitsPerWeight: number;
  diskBytes: number;
  loadedBytes: number;
  /** Weight bytes one decoded token reads: all dense weights, top-k experts per layer, one embedding row. */
  decodeBytesPerToken: number;
  byClass: Partial<Record<TensorClass, { params: number; averageBits: number }>>;
}

const VALID_BITS: readonly PlanBits[] = [32, 16, 8, 4, 3, 2];

/**
 * llama.cpp's use_more_bits: the first and last eighth of the layers and every third layer between
 * get more bits in its k-quant mixes; sensitivity to quantization concentrates there.
 */
export function useMoreBits(layer: number, numLayers: number): boolean {
  return layer < numLayers / 8 || layer >= (7 * numLayers) / 8 || (layer - numLayers / 8) % 3 === 2;
}

/** The recipe's width for one tensor before expert promotion and overrides. */
function baseBits(t: ModelTensor, mode: QuantizationMode): PlanBits {
  const b = mode.bits;
  if (t.cls === 'vector' || t.cls === 'router') return 32;
  if (b === 8) return 8;
  switch (t.cls) {
    case 'lm_head':
      return 8; // llama.cpp keeps the output matrix at 6 bits even in Q4_0/Q3_K/Q2_K; 8 is our nearest kernel
    case 'embedding':
      return 4; // a gather reads one row a token: width costs memory, not speed
    case 'attention': {
      // For 8-expert MoE models llama.cpp moves attn_k/attn_v to Q8_0: with GQA they are tiny and every token reads them.
      const name = t.ref.kind === 'layer' ? t.ref.name : '';
      return name === 'k_proj' || name === 'v_proj' ? 8 : 4;
    }
    case 'shared_expert':
    case 'dense_mlp':
      return 4; // always active, small: worth 4 bits even in 2- and 3-bit modes
    case 'expert_gate_up':
    case 'expert_down':
      if (b === 3) return mode.int3 === 'packed' ? 3 : 2; // 'mix' starts at 2 and promotes below
      return b;
  }
}

function expertLayer(t: ModelTensor): number {
  return t.ref.kind === 'expert' ? t.ref.layer : -1;
}

/**
 * Order in which the 3-bit mix promotes expert matrices from 2 to 4 bits, one (layer, projection)
 * unit across all its experts at a time: down projections of the use_more_bits layers, gate/up of
 * the first and last layers, the remaining down projections, then gate/up by use_more_bits.
 */
function promotionOrder(numLayers: number): Array<{ layer: number; cls: 'expert_down' | 'expert_gate_up' }> {
  const layers = [...Array(numLayers).keys()];
  const more = layers.filter((l) => useMoreBits(l, numLayers));
  const rest = layers.filter((l) => !useMoreBits(l, numLayers));
  const ends = [...new Set([0, numLayers - 1])];
  const order: Array<{ layer: number; cls: 'expert_down' | 'expert_gate_up' }> = [];
  for (const l of more) order.push({ layer: l, cls: 'expert_down' });
  for (const l of ends) order.push({ layer: l, cls: 'expert_gate_up' });
  for (const l of rest) order.push({ layer: l, cls: 'expert_down' });
  for (const l of [...more, ...rest]) if (!ends.includes(l)) order.push({ layer: l, cls: 'expert_gate_up' });
  return order;
}

function validateMode(mode: QuantizationMode): void {
  if (![8, 4, 3, 2].includes(mode.bits)) {
    throw new QuantizationError(`Unsupported quantization width ${String(mode.bits)}: use 8, 4, 3 or 2.`);
  }
  if (mode.group !== undefined) validateSpec({ bits: 4, blockSize: mode.group, symmetric: mode.symmetric, method: mode.method ?? 'rtn' });
  if (mode.group2 !== undefined) validateSpec({ bits: 2, blockSize: mode.group2, symmetric: mode.symmetric, method: 'rtn' });
  if (mode.int3 !== undefined && mode.int3 !== 'mix' && mode.int3 !== 'packed') {
    throw new QuantizationError(`Unknown INT3 scheme '${String(mode.int3)}': use 'mix' or 'packed'.`);
  }
  for (const [cls, bits] of Object.entries(mode.overrides ?? {})) {
    if (!VALID_BITS.includes(bits)) {
      throw new QuantizationError(`Override for ${cls} is ${String(bits)} bits: use 32, 16, 8, 4, 3 or 2.`);
    }
  }
}

/**
 * The bit width of every weight tensor of a model for a requested mode, and what that costs.
 * Recipe (why in docs/moe-quantization.md): router and norms float32; lm_head 8; embeddings,
 * attention q/o, shared experts and dense MLPs 4 (k/v 8) below 8-bit modes; routed experts at the
 * mode's width, except the 3-bit mix, which starts them at 2 and promotes whole (layer, projection)
 * units to 4 in promotionOrder while the model's average stays within 3.0 bits a weight.
 */
export function planQuantization(config: MoeConfig, mode: QuantizationMode): QuantizationPlan {
  validateMode(mode);
  const tensors = modelTensors(config);
  const overrides = mode.overrides ?? {};
  const bits = new Map<ModelTensor, PlanBits>();
  for (const t of tensors) bits.set(t, t.cls !== 'vector' && overrides[t.cls] ? overrides[t.cls]! : baseBits(t, mode));

  if (mode.bits === 3 && (mode.int3 ?? 'mix') === 'mix') {
    const total = tensors.reduce((s, t) => s + t.numel, 0);
    let sumBits = tensors.reduce((s, t) => s + t.numel * bits.get(t)!, 0);
    for (const unit of promotionOrder(config.numLayers)) {
      if (overrides[unit.cls]) continue;
      const members = tensors.filter((t) => t.cls === unit.cls && expertLayer(t) === unit.layer);
      const extra = members.reduce((s, t) => s + t.numel * (4 - bits.get(t)!), 0);
      if (extra <= 0) continue;
      if ((sumBits + extra) / total > 3 + 1e-9) continue;
      for (const t of members) bits.set(t, 4);
      sumBits += extra;
    }
  }
  return summarise(config, mode, tensors.map((t) => plannedTensor(t, bits.get(t)!, mode)));
}

function plannedTensor(t: ModelTensor, bits: PlanBits, mode: QuantizationMode): PlannedTensor {
  if (bits === 32 || bits === 16 || t.shape.length !== 2) {
    const fb = t.shape.length === 2 && bits === 16 ? 16 : 32;
    const bytes = (t.numel * fb) / 8;
    return { ...t, bits: fb, kernelBits: fb, spec: null, diskBytes: bytes, loadedBytes: bytes };
  }
  const method = mode.method ?? (bits <= 4 ? 'search' : 'rtn');
  const [n, k] = t.shape;
  const kernel = bits === 3 ? 4 : bits;
  // A default 2-bit group never exceeds K's largest power of two: past that it would only pad.
  const group =
    mode.group === undefined
      ? kernel === 2 ? (mode.group2 ?? fittedGroup(DEFAULT_GROUP[2], k)) : fittedGroup(DEFAULT_GROUP[kernel], k)
      : bits === 2 ? (mode.group2 ?? Math.max(mode.group, Math.min(128, 2 ** Math.floor(Math.log2(k))))) : mode.group;
  const spec: QuantSpec = { bits, blockSize: group, symmetric: mode.symmetric, method };
  const size = (b: number): number => {
    const blocks = blocksPerCol(k, group);
    return n * blocks * ((group * b) / 8) + n * blocks * 4 + (mode.symmetric ? 0 : n * zeroPointRowBytes(blocks, b));
  };
  return { ...t, bits, kernelBits: kernel, spec, diskBytes: size(bits), loadedBytes: size(kernel) };
}

function summarise(config: MoeConfig, mode: QuantizationMode, tensors: PlannedTensor[]): QuantizationPlan {
  let totalParams = 0;
  let sumBits = 0;
  let diskBytes = 0;
  let loadedBytes = 0;
  let decodeBytes = 0;
  const byClass: QuantizationPlan['byClass'] = {};
  const { numExperts, topK } = config.moe;
  for (const t of tensors) {
    totalParams += t.numel;
    sumBits += t.numel * t.bits;
    diskBytes += t.diskBytes;
    loadedBytes += t.loadedBytes;
    // Experts of one (layer, projection) share a width, so top-k of them read topK/numExperts of the bytes.
    if (t.ref.kind === 'expert') decodeBytes += (t.loadedBytes * topK) / numExperts;
    else if (t.cls === 'embedding') decodeBytes += t.loadedBytes / config.vocabSize;
    else decodeBytes += t.loadedBytes;
    const c = (byClass[t.cls] ??= { params: 0, averageBits: 0 });
    c.averageBits = (c.averageBits * c.params + t.bits * t.numel) / (c.params + t.numel);
    c.params += t.numel;
  }
  return {
    mode,
    tensors,
    totalParams,
    averageBits: sumBits / totalParams,
    diskBitsPerWeight: (diskBytes * 8) / totalParams,
    loadedBitsPerWeight: (loadedBytes * 8) / totalParams,
    diskBytes,
    loadedBytes,
    decodeBytesPerToken: decodeBytes,
    byClass,
  };
}

const indexCache = new WeakMap<QuantizationPlan, Map<string, PlannedTensor>>();

/** The plan's entry for one weight; throws if the model has no such tensor. */
export function plannedTensorFor(plan: QuantizationPlan, ref: WeightRef): PlannedTensor {
  let index = indexCache.get(plan);
  if (!index) {
    index = new Map(plan.tensors.map((t) => [t.key, t]));
    indexCache.set(plan, index);
  }
  const key = weightKey(ref);
  const t = index.get(key);
  if (!t) throw new QuantizationError(`The quantization plan has no tensor '${key}': it does not match this model's config.`);
  return t;
}
