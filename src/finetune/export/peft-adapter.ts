import * as fs from 'node:fs';
import * as path from 'node:path';
import { MoeError, writeSafetensors, type SafetensorsWriteEntry } from '../../moe';
// The reader is not on src/moe's public entry (the app opens checkpoints, not loose files); an adapter
// folder has no config.json, so its one safetensors file is opened directly.
import { SafetensorsFile } from '../../moe/checkpoint/safetensors.reader';
import { AdapterError } from './export.errors';
import type { AdaptedModule, LoraAdapter } from './lora-adapter';
import { peftTargetName, siteOfModule, type BaseTensors } from './lora-sites';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
/** PEFT wraps the model twice: PeftModel.base_model (LoraModel).model (the transformers model). */
const PREFIX = 'base_model.model.';

/**
 * Writes `dir` as a PEFT LoRA adapter folder: adapter_config.json and adapter_model.safetensors with
 * `base_model.model.<module>.lora_A.weight` [r, in] and `.lora_B.weight` [out, r]. Built beside the
 * target and renamed into place, so `dir` is never half written.
 */
export function writePeftAdapter(dir: string, adapter: LoraAdapter): void {
  const entries: SafetensorsWriteEntry[] = [];
  const targets = new Set<string>();
  for (const m of adapter.modules) {
    targets.add(peftTargetName(m.site));
    entries.push({ name: `${PREFIX}${m.site.module}.lora_A.weight`, shape: [m.rank, m.site.in], data: m.a });
    entries.push({ name: `${PREFIX}${m.site.module}.lora_B.weight`, shape: [m.site.out, m.rank], data: m.b });
  }
  // modules_to_save are stored under the module's own name, as PEFT's get_peft_model_state_dict writes them.
  const saved = new Set<string>();
  for (const r of adapter.replaced) {
    entries.push({ name: `${PREFIX}${r.tensor}`, shape: r.shape, data: r.data });
    const module = r.tensor.slice(0, -'.weight'.length);
    saved.add(module.slice(module.lastIndexOf('.') + 1));
  }
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: adapter.baseModel,
    r: adapter.rank,
    lora_alpha: adapter.alpha,
    lora_dropout: adapter.dropout,
    target_modules: [...targets].sort(),
    bias: 'none',
    fan_in_fan_out: false,
    use_rslora: false,
    use_dora: false,
    modules_to_save: saved.size > 0 ? [...saved].sort() : null,
    inference_mode: true,
    init_lora_weights: true,
    revision: null,
  };
  const staging = `${dir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    fs.writeFileSync(path.join(staging, ADAPTER_CONFIG), JSON.stringify(config, null, 2) + '\n');
    writeSafetensors(path.join(staging, ADAPTER_WEIGHTS), entries, { format: 'pt' });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

type Json = Record<string, unknown>;

/**
 * Reads a PEFT LoRA adapter (ours, or one trained elsewhere, e.g. by LLaMA-Factory) against the base
 * checkpoint it adapts: every module must be a projection of that base with matching shapes. Per-module
 * ranks come from the tensors; alpha from alpha_pattern where given; rsLoRA scales by alpha/√r.
 */
export function readPeftAdapter(dir: string, base: BaseTensors): LoraAdapter {
  const configPath = path.join(dir, ADAPTER_CONFIG);
  const weightsPath = path.join(dir, ADAPTER_WEIGHTS);
  if (!fs.existsSync(configPath)) throw new AdapterError(`${dir} has no ${ADAPTER_CONFIG}; point at a PEFT LoRA adapter folder`);
  if (!fs.existsSync(weightsPath)) {
    const hint = fs.existsSync(path.join(dir, 'adapter_model.bin')) ? ' (it has adapter_model.bin: re-save it with safe_serialization=True)' : '';
    throw new AdapterError(`${dir} has no ${ADAPTER_WEIGHTS}${hint}`);
  }
  let config: Json;
  try {
    config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Json;
  } catch (e) {
    throw new AdapterError(`${configPath} is not valid JSON: ${(e as Error).message}`);
  }
  if (config.peft_type !== undefined && config.peft_type !== 'LORA') throw new AdapterError(`${configPath} is a ${String(config.peft_type)} adapter; only LORA adapters merge`);
  if (config.use_dora) throw new AdapterError(`${configPath} is a DoRA adapter (use_dora); its magnitude vectors do not merge as W + B·A`);
  if (config.fan_in_fan_out) throw new AdapterError(`${configPath} has fan_in_fan_out (Conv1D weights); MoE checkpoints use Linear layers`);
  const alpha = positive(config.lora_alpha, 'lora_alpha', configPath);
  const rank = positive(config.r, 'r', configPath);
  const alphaPattern = (config.alpha_pattern ?? {}) as Record<string, number>;
  const rslora = config.use_rslora === true;

  let file: SafetensorsFile;
  try {
    file = SafetensorsFile.open(weightsPath);
  } catch (e) {
    throw new AdapterError(e instanceof MoeError ? e.message : (e as Error).message);
  }
  try {
    const halves = new Map<string, { a?: string; b?: string }>();
    const replaced: LoraAdapter['replaced'] = [];
    for (const name of file.entries.keys()) {
      const m = /^(?:base_model\.model\.)?(.+)\.lora_([AB])(?:\.[A-Za-z0-9_]+)?\.weight$/.exec(name);
      if (!m) {
        // A whole module (modules_to_save): it replaces the base tensor of the same name and shape.
        const tensor = name.replace(/^base_model\.model\./, '').replace(/\.modules_to_save\.[A-Za-z0-9_]+\./, '.');
        const shape = file.entry(name).shape;
        const fits = base.has(tensor) && tensor.endsWith('.weight') && (base.shapeOf?.(tensor) ?? shape).join() === shape.join();
        if (!fits) throw new AdapterError(`${weightsPath} holds ${name}, which is neither a LoRA matrix nor a whole module of this base model with the same shape`);
        replaced.push({ tensor, shape: [...shape], data: file.read(name).data });
        continue;
      }
      const entry = halves.get(m[1]) ?? {};
      entry[m[2] === 'A' ? 'a' : 'b'] = name;
      halves.set(m[1], entry);
    }
    if (halves.size === 0 && replaced.length === 0) throw new AdapterError(`${weightsPath} holds no LoRA matrices`);
    const modules: AdaptedModule[] = [];
    for (const [module, { a, b }] of halves) {
      if (!a || !b) throw new AdapterError(`module ${module} has only one of lora_A and lora_B in ${weightsPath}`);
      const site = siteOfModule(base, module);
      const A = file.read(a);
      const B = file.read(b);
      const r = A.shape[0];
      if (A.shape.length !== 2 || B.shape.length !== 2 || A.shape[1] !== site.in || B.shape[0] !== site.out || B.shape[1] !== r) {
        throw new AdapterError(
          `module ${module}: lora_A [${A.shape.join(', ')}] and lora_B [${B.shape.join(', ')}] do not fit the base's [${site.out}, ${site.in}] ` +
            `(expected [r, ${site.in}] and [${site.out}, r]); is the adapter for another base model?`,
        );
      }
      const key = Object.keys(alphaPattern).find((k) => module === k || module.endsWith(`.${k}`));
      const moduleAlpha = key ? alphaPattern[key] : alpha;
      modules.push({ site, rank: r, scaling: rslora ? moduleAlpha / Math.sqrt(r) : moduleAlpha / r, a: A.data, b: B.data });
    }
    const targets = Array.isArray(config.target_modules) ? (config.target_modules as string[]) : [String(config.target_modules ?? '')];
    const dropout = typeof config.lora_dropout === 'number' ? config.lora_dropout : 0;
    return { rank, alpha, dropout, targetModules: targets, baseModel: String(config.base_model_name_or_path ?? ''), modules, replaced };
  } finally {
    file.close();
  }
}

function positive(value: unknown, key: string, file: string): number {
  if (typeof value !== 'number' || !(value > 0)) throw new AdapterError(`${file}: ${key} must be a positive number, got ${JSON.stringify(value)}`);
  return value;
}
