import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EmbedderLoadError } from '../retrieval.errors';
import type { Pooling } from './pooling';

/**
 * The small config beside model.onnx and tokenizer.json (`embedder.json` or `reranker.json`). All
 * fields optional: { "id", "pooling": "cls"|"mean", "normalize", "maxLength", "queryPrefix",
 * "passagePrefix", "batchSize", "model": "model.onnx", "output": "last_hidden_state" }.
 */
export interface EncoderConfig {
  id: string;
  pooling: Pooling;
  normalize: boolean;
  maxLength: number;
  queryPrefix: string;
  passagePrefix: string;
  batchSize: number;
  modelPath: string;
  tokenizerPath: string;
  output?: string;
}

export function readEncoderFolder(dir: string, configName: 'embedder.json' | 'reranker.json'): EncoderConfig {
  const root = resolve(dir);
  if (!existsSync(root)) throw new EmbedderLoadError(`model folder ${root} does not exist`, root);
  const configPath = join(root, configName);
  let raw: Record<string, unknown> = {};
  if (existsSync(configPath)) {
    try {
      raw = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (e) {
      throw new EmbedderLoadError(`${configPath} is not valid JSON: ${(e as Error).message}`, configPath);
    }
  }
  const bad = (field: string, expected: string) => new EmbedderLoadError(`${configPath}: "${field}" must be ${expected}`, configPath);
  const str = (field: string, fallback: string): string => {
    const v = raw[field] ?? fallback;
    if (typeof v !== 'string') throw bad(field, 'a string');
    return v;
  };
  const int = (field: string, fallback: number, max: number): number => {
    const v = raw[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw bad(field, `an integer in 1..${max}`);
    return v;
  };
  const pooling = str('pooling', 'cls');
  if (pooling !== 'cls' && pooling !== 'mean') throw bad('pooling', '"cls" or "mean"');
  const normalize = raw.normalize ?? true;
  if (typeof normalize !== 'boolean') throw bad('normalize', 'true or false');
  const modelPath = join(root, str('model', 'model.onnx'));
  const tokenizerPath = join(root, 'tokenizer.json');
  for (const p of [modelPath, tokenizerPath]) if (!existsSync(p)) throw new EmbedderLoadError(`${p} is missing: the folder needs model.onnx and tokenizer.json`, p);
  return {
    id: str('id', basename(root)),
    pooling,
    normalize,
    maxLength: int('maxLength', 512, 8192),
    queryPrefix: str('queryPrefix', ''),
    passagePrefix: str('passagePrefix', ''),
    batchSize: int('batchSize', 16, 1024),
    modelPath,
    tokenizerPath,
    output: raw.output === undefined ? undefined : str('output', ''),
  };
}
