import type { MoeConfig } from '../../../moe/model/moe-config';
import { TrainingOptionsError } from '../training.errors';
import { mulberry32 } from '../../../moe';

export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];
export const EXPERT_TARGETS: ReadonlySet<LoraTarget> = new Set(['gate_proj', 'up_proj', 'down_proj']);

export interface LoraOptions {
  rank: number;
  alpha: number;
  targets: readonly LoraTarget[];
  /**
   * Dropout on the adapter's input, x → dropout(x)·A·B, in [0, 1); default 0. The mask is drawn in the
   * graph from the batch's dropout seed; evaluation runs with rate 0.
   */
  dropout?: number;
}

/**
 * One LoRA matrix pair's half. Layout is ours, [in, r] for A and [r, out] for B (x·A·B), so the graph
 * needs no transposes; PEFT's lora_A.weight [r, in] / lora_B.weight [out, r] are their transposes.
 */
export interface LoraParameter {
  /** Graph input name, e.g. `lora.layers.0.experts.3.down_proj.A`. */
  name: string;
  layer: number;
  expert: number | null;
  target: LoraTarget;
  half: 'A' | 'B';
  dims: [number, number];
}

export function validateLoraOptions(o: LoraOptions): void {
  if (!Number.isInteger(o.rank) || o.rank < 1) throw new TrainingOptionsError(`LoRA rank must be a positive integer, got ${o.rank}`);
  if (!(o.alpha > 0)) throw new TrainingOptionsError(`LoRA alpha must be positive, got ${o.alpha}`);
  if (o.dropout !== undefined && !(o.dropout >= 0 && o.dropout < 1)) throw new TrainingOptionsError(`LoRA dropout must be in [0, 1), got ${o.dropout}`);
  if (o.targets.length === 0) throw new TrainingOptionsError(`LoRA needs at least one target among ${LORA_TARGETS.join(', ')}`);
  for (const t of o.targets) {
    if (!LORA_TARGETS.includes(t)) throw new TrainingOptionsError(`unknown LoRA target '${t}'; choose among ${LORA_TARGETS.join(', ')}`);
  }
}

/** [in, out] of a target's base projection. */
export function projectionDims(config: MoeConfig, target: LoraTarget): [number, number] {
  const h = config.hiddenSize;
  const inter = config.moe.intermediateSize;
  switch (target) {
    case 'q_proj':
      return [h, config.numHeads * config.headDim];
    case 'k_proj':
    case 'v_proj':
      return [h, config.numKvHeads * config.headDim];
    case 'o_proj':
      return [config.numHeads * config.headDim, h];
    case 'gate_proj':
    case 'up_proj':
      return [h, inter];
    case 'down_proj':
      return [inter, h];
  }
}

/** Every trained tensor, in a fixed order (layers, then experts, then targets, A before B). */
export function loraParameters(config: MoeConfig, o: LoraOptions): LoraParameter[] {
  validateLoraOptions(o);
  const out: LoraParameter[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    // Dense MLP layers and shared experts take no adapters: LoRA's expert targets are the routed experts.
    const experts = config.layerKinds[layer] === 'dense' ? 0 : config.moe.numExperts;
    const owners: Array<number | null> = [null, ...Array.from({ length: experts }, (_, e) => e)];
    for (const expert of owners) {
      for (const target of LORA_TARGETS) {
        if (!o.targets.includes(target) || EXPERT_TARGETS.has(target) !== (expert !== null)) continue;
        const [inDim, outDim] = projectionDims(config, target);
        const base = `lora.layers.${layer}.${expert === null ? 'self_attn' : `experts.${expert}`}.${target}`;
        out.push({ name: `${base}.A`, layer, expert, target, half: 'A', dims: [inDim, o.rank] });
        out.push({ name: `${base}.B`, layer, expert, target, half: 'B', dims: [o.rank, outDim] });
      }
    }
  }
  return out;
}

/** Mulberry32: a small seeded generator, so a training run with the same seed starts identically. */
export const seededRandom = mulberry32;

/**
 * PEFT's initialisation: A uniform in ±1/√in (kaiming-uniform with a = √5), B zero, so the adapted
 * model starts exactly at the base model.
 */
export function initLoraParameters(params: readonly LoraParameter[], seed: number): Map<string, Float32Array> {
  const rand = seededRandom(seed);
  const values = new Map<string, Float32Array>();
  for (const p of params) {
    const data = new Float32Array(p.dims[0] * p.dims[1]);
    if (p.half === 'A') {
      const bound = 1 / Math.sqrt(p.dims[0]);
      for (let i = 0; i < data.length; i++) data[i] = (rand() * 2 - 1) * bound;
    }
    values.set(p.name, data);
  }
  return values;
}
