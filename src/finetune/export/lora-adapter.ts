import { baseParameterTensor, type BaseParameter, type LoraOwner } from '../training';
import { AdapterError } from './export.errors';
import { locateSite, routerTensor, type BaseTensors, type LoraSite } from './lora-sites';

/** One adapted projection, in PEFT's layout: A [r, in], B [out, r]; the delta is scaling · B·A. */
export interface AdaptedModule {
  site: LoraSite;
  rank: number;
  scaling: number;
  a: Float32Array;
  b: Float32Array;
}

/** A base weight trained whole (the routers), replacing the base's tensor: PEFT's modules_to_save. */
export interface ReplacedModule {
  /** The base tensor, e.g. `model.layers.0.block_sparse_moe.gate.weight`. */
  tensor: string;
  shape: number[];
  data: Float32Array;
}

/** A LoRA adapter whatever made it (our trainer, or PEFT elsewhere), ready to write or merge. */
export interface LoraAdapter {
  rank: number;
  alpha: number;
  dropout: number;
  /** Module-name suffixes adapted, as PEFT's target_modules (q_proj, w1, gate_proj, ...). */
  targetModules: string[];
  /** Recorded as base_model_name_or_path: the base's registered name or checkpoint folder. */
  baseModel: string;
  modules: AdaptedModule[];
  replaced: ReplacedModule[];
}

/** What the trainer holds: `lora.layers.L.<self_attn|experts.E|shared_expert|mlp>.<target>.<A|B>` → values, A [in, r], B [r, out]. */
export interface TrainedLora {
  rank: number;
  alpha: number;
  dropout?: number;
  values: ReadonlyMap<string, Float32Array>;
  /** Base weights trained beside the adapters (the runner's `base`): their values are in `values` too. */
  base?: readonly BaseParameter[];
}

const PARAM = /^lora\.layers\.(\d+)\.(self_attn|experts\.\d+|shared_expert|mlp)\.([a-z_]+)\.(A|B)$/;

/**
 * Our trained values → PEFT layout. Ours is x·A·B with A [in, r] and B [r, out] (no transposes in the
 * training graph); PEFT's lora_A.weight is [r, in] and lora_B.weight [out, r], so both are transposed.
 */
export function adapterFromTraining(base: BaseTensors, trained: TrainedLora, baseModel: string): LoraAdapter {
  const pairs = new Map<string, { layer: number; owner: LoraOwner; target: string; A?: Float32Array; B?: Float32Array }>();
  const replaced: ReplacedModule[] = [];
  const baseNames = new Set((trained.base ?? []).map((p) => p.name));
  for (const p of trained.base ?? []) {
    if (p.ref.kind !== 'layer' || p.ref.name !== 'router') throw new AdapterError(`${p.name} is a trained base weight other than a router; a full fine-tune is a checkpoint, not an adapter`);
    const value = trained.values.get(p.name);
    if (!value) throw new AdapterError(`no value for the trained router ${p.name}`);
    const t = baseParameterTensor(p, value);
    replaced.push({ tensor: routerTensor(base, p.ref.layer), shape: [...t.shape], data: t.data });
  }
  for (const [name, value] of trained.values) {
    if (baseNames.has(name)) continue;
    const m = PARAM.exec(name);
    if (!m) throw new AdapterError(`${name} is not a LoRA parameter name of the trainer (lora.layers.L.self_attn.T.A, lora.layers.L.experts.E.T.B, lora.layers.L.shared_expert.T.A, lora.layers.L.mlp.T.B)`);
    const key = name.slice(0, -2);
    const pair = pairs.get(key) ?? { layer: Number(m[1]), owner: m[2] as LoraOwner, target: m[3] };
    pair[m[4] as 'A' | 'B'] = value;
    pairs.set(key, pair);
  }
  const r = trained.rank;
  const modules: AdaptedModule[] = [];
  const targets = new Set<string>();
  for (const [key, pair] of pairs) {
    if (!pair.A || !pair.B) throw new AdapterError(`${key} has only one of its A and B matrices`);
    const site = locateSite(base, pair.layer, pair.owner, pair.target);
    if (pair.A.length !== site.in * r || pair.B.length !== r * site.out) {
      throw new AdapterError(`${key} does not fit ${site.tensor}: A has ${pair.A.length} values (expected ${site.in}×${r}), B ${pair.B.length} (expected ${r}×${site.out})`);
    }
    modules.push({ site, rank: r, scaling: trained.alpha / r, a: transpose(pair.A, site.in, r), b: transpose(pair.B, r, site.out) });
    targets.add(site.module ? site.module.slice(site.module.lastIndexOf('.') + 1) : pair.target);
  }
  return { rank: r, alpha: trained.alpha, dropout: trained.dropout ?? 0, targetModules: [...targets].sort(), baseModel, modules, replaced };
}

/** PEFT layout → our trainer's values (A [in, r], B [r, out]), for evaluating an imported adapter on the training graph. */
export function trainingValuesOf(adapter: LoraAdapter, nameOf: (site: LoraSite) => string): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const m of adapter.modules) {
    const name = nameOf(m.site);
    values.set(`${name}.A`, transpose(m.a, m.rank, m.site.in));
    values.set(`${name}.B`, transpose(m.b, m.site.out, m.rank));
  }
  return values;
}

/** Row-major [rows, cols] → [cols, rows]. */
export function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
  return out;
}

/**
 * W[out, in] += scaling · B·A, on a block of `w` starting at element `first`. Sums in float64 so a
 * merge is as exact as float32 storage allows.
 */
export function addDelta(w: Float32Array, m: AdaptedModule, first = 0): void {
  const { out, in: inDim } = m.site;
  const r = m.rank;
  const row = new Float64Array(inDim);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const bk = m.b[o * r + k];
      if (bk === 0) continue;
      const aRow = k * inDim;
      for (let i = 0; i < inDim; i++) row[i] += bk * m.a[aRow + i];
    }
    const base = first + o * inDim;
    for (let i = 0; i < inDim; i++) w[base + i] += m.scaling * row[i];
  }
}
