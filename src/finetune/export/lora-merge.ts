import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCheckpoint, writeSafetensors, writeShardedSafetensors, type OpenedCheckpoint, type SafetensorsWriteEntry } from '../../moe';
import { AdapterError } from './export.errors';
import { addDelta, type AdaptedModule, type LoraAdapter } from './lora-adapter';
import type { BaseTensors } from './lora-sites';

/** Above this many bytes of weights the merged checkpoint is sharded, as Hugging Face does for large models. */
const SHARD_BYTES = 2 * 1024 ** 3;

export interface MergeResult {
  dir: string;
  tensors: number;
  mergedTensors: number;
  bytes: number;
}

/** The base checkpoint seen as LoRA sites need it. */
export function baseTensorsOf(checkpoint: OpenedCheckpoint): BaseTensors {
  return { config: checkpoint.config, has: (name) => checkpoint.weights.checkpoint.has(name), shapeOf: (name) => checkpoint.weights.checkpoint.entry(name).shape };
}

/**
 * Writes base + adapter as a Hugging Face checkpoint folder: W' = W + scaling·B·A on every adapted
 * projection, every other tensor copied, config/tokenizer files copied. Tensors are read, merged and
 * written one at a time (the base is never whole in memory), in the base's dtype; the folder is built
 * beside `outDir` and renamed into place, so `outDir` is either absent or complete.
 */
export function mergeAdapter(baseDir: string, outDir: string, adapter: LoraAdapter, options: { overwrite?: boolean } = {}): MergeResult {
  const target = path.resolve(outDir);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0 && !options.overwrite) {
    throw new AdapterError(`${target} already exists and is not empty; choose another folder for the merged model`);
  }
  const checkpoint = openCheckpoint(baseDir);
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const store = checkpoint.weights.checkpoint;
    const byTensor = new Map<string, AdaptedModule[]>();
    for (const m of adapter.modules) {
      if (!store.has(m.site.tensor)) throw new AdapterError(`the base checkpoint ${baseDir} has no ${m.site.tensor}`);
      byTensor.set(m.site.tensor, [...(byTensor.get(m.site.tensor) ?? []), m]);
    }
    const replacements = new Map(adapter.replaced.map((r) => [r.tensor, r]));
    for (const r of adapter.replaced) {
      const stored = store.has(r.tensor) ? store.entry(r.tensor).shape : null;
      if (!stored || stored.join() !== r.shape.join()) throw new AdapterError(`the adapter replaces ${r.tensor} [${r.shape.join(', ')}], which the base checkpoint ${baseDir} does not hold with that shape`);
    }
    fs.mkdirSync(staging, { recursive: true });
    for (const entry of fs.readdirSync(baseDir, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.endsWith('.safetensors') || entry.name === 'model.safetensors.index.json') continue;
      fs.copyFileSync(path.join(baseDir, entry.name), path.join(staging, entry.name));
    }
    let bytes = 0;
    const entries: SafetensorsWriteEntry[] = store.tensorNames.map((name) => {
      const stored = store.entry(name);
      bytes += stored.byteLength;
      const modules = byTensor.get(name);
      return {
        name,
        shape: stored.shape,
        dtype: stored.dtype,
        data: () => {
          // A replaced module (a trained router) takes the adapter's values; LoRA deltas still add on top.
          const w = replacements.has(name) ? Float32Array.from(replacements.get(name)!.data) : store.read(name).data;
          for (const m of modules ?? []) addDelta(w, m, m.site.first);
          return w;
        },
      };
    });
    if (bytes > SHARD_BYTES) writeShardedSafetensors(staging, entries, SHARD_BYTES);
    else writeSafetensors(path.join(staging, 'model.safetensors'), entries, { format: 'pt' });
    fs.writeFileSync(
      path.join(staging, 'zhiku_merge.json'),
      JSON.stringify({ base: path.resolve(baseDir), baseModel: adapter.baseModel, rank: adapter.rank, alpha: adapter.alpha, targetModules: adapter.targetModules, adaptedTensors: byTensor.size, replacedTensors: adapter.replaced.map((r) => r.tensor) }, null, 2) + '\n',
    );
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    return { dir: target, tensors: entries.length, mergedTensors: byTensor.size + [...replacements.keys()].filter((k) => !byTensor.has(k)).length, bytes };
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    checkpoint.close();
  }
}
