import type { MoeConfig } from '../../../moe/model/moe-config';
import { TrainingOptionsError } from '../training.errors';
import { mulberry32 } from '../../../moe';

export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];
export const EXPERT_TARGETS: ReadonlySet<LoraTarget> = new Set(['gate_proj', 'up_proj', 'down_proj']);

/**
 * The module a LoRA pair adapts inside a layer: attention, one routed expert (`experts.E`), the shared
 * expert, or the dense MLP of a dense layer. The MLP targets (gate/up/down_proj) select every MLP that
 * has them, as LLaMA-Factory's "all linear" does: routed experts, shared expert and dense MLP alike.
 */
export type LoraOwner = 'self_attn' | 'shared_expert' | 'mlp' | `experts.${number}`;

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
  /** `self_attn`, `experts.E`, `shared_expert` or `mlp` (a dense layer's MLP). */
  owner: LoraOwner;
  /** The routed expert's index; null for every other owner. */
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

/** [in, out] of a target's base projection; `owner` picks the MLP's intermediate size. */
export function projectionDims(config: MoeConfig, target: LoraTarget, owner: LoraOwner = 'experts.0'): [number, number] {
  const h = config.hiddenSize;
  const inter = owner === 'mlp' ? config.denseIntermediateSize : owner === 'shared_expert' ? (config.moe.sharedExpert?.intermediateSize ?? 0) : config.moe.intermediateSize;
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

/** The MLP owners of a layer: its dense MLP, or its routed experts then its shared expert. */
export function mlpOwners(config: MoeConfig, layer: number): LoraOwner[] {
  if (config.layerKinds[layer] === 'dense') return ['mlp'];
  const experts = Array.from({ length: config.moe.numExperts }, (_, e): LoraOwner => `experts.${e}`);
  return config.moe.sharedExpert ? [...experts, 'shared_expert'] : experts;
}

/** Every trained tensor, in a fixed order (layers, then attention, experts, shared expert or dense MLP, then targets, A before B). */
export function loraParameters(config: MoeConfig, o: LoraOptions): LoraParameter[] {
  validateLoraOptions(o);
  const out: LoraParameter[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const owner of ['self_attn' as const, ...mlpOwners(config, layer)]) {
      const expert = owner.startsWith('experts.') ? Number(owner.slice('experts.'.length)) : null;
      for (const target of LORA_TARGETS) {
        if (!o.targets.includes(target) || EXPERT_TARGETS.has(target) !== (owner !== 'self_attn')) continue;
        const [inDim, outDim] = projectionDims(config, target, owner);
        const base = `lora.layers.${layer}.${owner}.${target}`;
        out.push({ name: `${base}.A`, layer, owner, expert, target, half: 'A', dims: [inDim, o.rank] });
        out.push({ name: `${base}.B`, layer, owner, expert, target, half: 'B', dims: [o.rank, outDim] });
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
