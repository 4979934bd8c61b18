import type { MoeConfig } from '../../moe';
import type { LoraOwner } from '../training';
import { AdapterError } from './export.errors';

/** Our LoRA target names (src/finetune/training's LORA_TARGETS), the attention half and the expert half. */
const ATTENTION_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const;
const EXPERT_TARGETS = ['gate_proj', 'up_proj', 'down_proj'] as const;
type ExpertTarget = (typeof EXPERT_TARGETS)[number];

/**
 * How checkpoints in the wild spell an expert projection under `model.layers.L.<block>.experts.E.`:
 * Mixtral's classic `block_sparse_moe` with w1/w3/w2, everyone else (and Mixtral in transformers 5)
 * `mlp` with gate/up/down. The first spelling present in the base checkpoint wins, so an exported
 * adapter names the module the way that checkpoint's Hugging Face model class does.
 */
const MOE_BLOCKS = ['block_sparse_moe', 'mlp'];
const EXPERT_SPELLINGS: Record<ExpertTarget, string[]> = { gate_proj: ['w1', 'gate_proj'], up_proj: ['w3', 'up_proj'], down_proj: ['w2', 'down_proj'] };
/** The shared expert's module under the layer: Qwen2-MoE `mlp.shared_expert`, DeepSeek `mlp.shared_experts` (src/moe's DEFAULT_NAMING). */
const SHARED_EXPERT_MODULES = ['mlp.shared_expert', 'mlp.shared_experts'];

/** Where one LoRA pair's delta lands in the base checkpoint. */
export interface LoraSite {
  /** The base tensor, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  tensor: string;
  /** The PEFT module path (the tensor name without `.weight`); null inside a packed expert tensor, which PEFT cannot address. */
  module: string | null;
  /** Element offset of the [out, in] block inside the tensor (non-zero for one expert of a packed tensor). */
  first: number;
  out: number;
  in: number;
  /** Our name for it: layer, owner (self_attn, experts.E, shared_expert, mlp) and target (q_proj ... down_proj). */
  layer: number;
  owner: LoraOwner;
  /** The routed expert's index; null for every other owner. */
  expert: number | null;
  target: string;
}

/** What a LoRA site needs to know of the base checkpoint: its config and which tensors it holds. */
export interface BaseTensors {
  config: MoeConfig;
  has(name: string): boolean;
  /** Stored shape of a tensor, when known (checks whole modules read from an adapter). */
  shapeOf?(name: string): readonly number[];
}

/** The site of our parameter pair (layer, owner, target). */
export function locateSite(base: BaseTensors, layer: number, owner: LoraOwner, target: string): LoraSite {
  const c = base.config;
  const p = `model.layers.${layer}.`;
  const at = (tensor: string, out: number, inDim: number, expert: number | null = null): LoraSite => ({ tensor, module: tensor.slice(0, -'.weight'.length), first: 0, out, in: inDim, layer, owner, expert, target });
  if (owner === 'self_attn') {
    if (!(ATTENTION_TARGETS as readonly string[]).includes(target)) throw new AdapterError(`${target} is not an attention projection (q_proj, k_proj, v_proj, o_proj)`);
    const q = c.numHeads * c.headDim;
    const kv = c.numKvHeads * c.headDim;
    const [out, inDim] = target === 'q_proj' ? [q, c.hiddenSize] : target === 'o_proj' ? [c.hiddenSize, q] : [kv, c.hiddenSize];
    const tensor = `${p}self_attn.${target}.weight`;
    if (!base.has(tensor)) throw new AdapterError(`the base checkpoint has no ${tensor}`);
    return at(tensor, out, inDim);
  }
  if (!(EXPERT_TARGETS as readonly string[]).includes(target)) throw new AdapterError(`${target} is not an MLP projection (gate_proj, up_proj, down_proj)`);
  const t = target as ExpertTarget;
  const d = c.hiddenSize;
  const mlpDims = (f: number): [number, number] => (t === 'down_proj' ? [d, f] : [f, d]);
  if (owner === 'mlp') {
    const tensor = `${p}mlp.${t}.weight`;
    if (!base.has(tensor)) throw new AdapterError(`the base checkpoint has no dense MLP ${tensor} in layer ${layer} (a MoE layer's MLPs are its experts)`);
    return at(tensor, ...mlpDims(c.denseIntermediateSize));
  }
  if (owner === 'shared_expert') {
    const tensor = SHARED_EXPERT_MODULES.map((m) => `${p}${m}.${t}.weight`).find((n) => base.has(n));
    if (!tensor || !c.moe.sharedExpert) throw new AdapterError(`the base checkpoint has no shared expert ${t} in layer ${layer} (looked for ${p}{${SHARED_EXPERT_MODULES.join(',')}}.${t}.weight)`);
    return at(tensor, ...mlpDims(c.moe.sharedExpert.intermediateSize));
  }
  const expert = Number(owner.slice('experts.'.length));
  const f = c.moe.intermediateSize;
  const [out, inDim] = mlpDims(f);
  for (const block of MOE_BLOCKS) {
    for (const spelling of EXPERT_SPELLINGS[t]) {
      const tensor = `${p}${block}.experts.${expert}.${spelling}.weight`;
      if (base.has(tensor)) return at(tensor, out, inDim, expert);
    }
  }
  // transformers 5 packs every expert of a layer: gate_up_proj [E, 2f, d] (gate rows, then up rows) and down_proj [E, d, f].
  for (const block of MOE_BLOCKS) {
    const packed = `${p}${block}.experts.`;
    if (t !== 'down_proj' && base.has(`${packed}gate_up_proj`)) {
      return { tensor: `${packed}gate_up_proj`, module: null, first: expert * 2 * f * d + (t === 'up_proj' ? f * d : 0), out, in: inDim, layer, owner, expert, target };
    }
    if (t === 'down_proj' && base.has(`${packed}down_proj`)) return { tensor: `${packed}down_proj`, module: null, first: expert * d * f, out, in: inDim, layer, owner, expert, target };
  }
  throw new AdapterError(`the base checkpoint has no expert ${expert} ${target} in layer ${layer} (looked for ${p}{${MOE_BLOCKS.join(',')}}.experts.${expert}.{${EXPERT_SPELLINGS[t].join(',')}}.weight)`);
}

/** Every site of the base whose tensor name is `module + '.weight'` (PEFT adapters name modules, not our parameters). */
export function siteOfModule(base: BaseTensors, module: string): LoraSite {
  const attn = /^model\.layers\.(\d+)\.self_attn\.([a-z_]+)$/.exec(module);
  if (attn) return locateSite(base, Number(attn[1]), 'self_attn', attn[2]);
  const expert = /^model\.layers\.(\d+)\.([a-z_]+)\.experts\.(\d+)\.([a-z0-9_]+)$/.exec(module);
  if (expert && MOE_BLOCKS.includes(expert[2])) {
    const target = (Object.keys(EXPERT_SPELLINGS) as ExpertTarget[]).find((t) => EXPERT_SPELLINGS[t].includes(expert[4]));
    if (target) {
      const site = locateSite(base, Number(expert[1]), `experts.${Number(expert[3])}`, target);
      if (site.module === module) return site;
    }
  }
  const mlp = /^model\.layers\.(\d+)\.(mlp|mlp\.shared_experts?)\.(gate_proj|up_proj|down_proj)$/.exec(module);
  if (mlp) {
    const site = locateSite(base, Number(mlp[1]), mlp[2] === 'mlp' ? 'mlp' : 'shared_expert', mlp[3]);
    if (site.module === module) return site;
  }
  throw new AdapterError(
    `the adapter adapts module ${module}, which is not a projection of this base model we can merge into ` +
      `(attention q/k/v/o_proj, or gate/up/down projections of the experts, the shared expert or a dense MLP, named as in the base checkpoint)`,
  );
}

/** The module-name suffix PEFT's target_modules uses for a site (`q_proj`, `w1`, ...). */
export function peftTargetName(site: LoraSite): string {
  if (!site.module) throw new AdapterError(`${site.tensor} packs every expert in one tensor; PEFT has no module for one expert of it, so this base model's expert LoRA cannot be exported in the PEFT layout (merge it instead)`);
  return site.module.slice(site.module.lastIndexOf('.') + 1);
}

/** The router (gate) tensor of a layer: `model.layers.L.<block>.gate.weight`, [experts, hidden]. */
export function routerTensor(base: BaseTensors, layer: number): string {
  for (const block of MOE_BLOCKS) {
    const tensor = `model.layers.${layer}.${block}.gate.weight`;
    if (base.has(tensor)) return tensor;
  }
  throw new AdapterError(`the base checkpoint has no router for layer ${layer} (model.layers.${layer}.{${MOE_BLOCKS.join(',')}}.gate.weight)`);
}
