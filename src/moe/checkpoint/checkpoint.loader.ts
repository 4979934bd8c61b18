import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from '../moe.errors';
import type { MoeConfig } from '../model/moe-config';
import type { ArchitectureImporter } from './architecture.importer';
import { CheckpointWeights } from './checkpoint.weights';
import type { HfConfig } from './hf-config.reader';
import { HfConfigReader } from './hf-config.reader';
import { importerFor } from './importer.registry';
import { SafetensorsCheckpoint } from './safetensors.reader';

export interface OpenedCheckpoint {
  readonly dir: string;
  readonly config: MoeConfig;
  /** Lazy weights; call `weights.close()` (or `close()` here) when done. */
  readonly weights: CheckpointWeights;
  /** tokenizer.json, or null when the checkpoint has none (it can then be fed token ids only). */
  readonly tokenizerPath: string | null;
  readonly tokenizerConfigPath: string | null;
  close(): void;
}

export function readJsonFile(file: string): HfConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CheckpointError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as HfConfig;
  } catch (error) {
    throw new CheckpointError(`${file} is not a valid JSON object: ${(error as Error).message}`);
  }
}

/**
 * config.json (plus generation_config.json's EOS ids, which chat models keep there) → MoeConfig.
 */
export function readMoeConfig(dir: string): MoeConfig {
  return readConfigAndImporter(dir).config;
}

function readConfigAndImporter(dir: string): { config: MoeConfig; importer: ArchitectureImporter } {
  const configPath = path.join(dir, 'config.json');
  if (!fs.existsSync(configPath)) throw new CheckpointError(`${dir} has no config.json; point at a Hugging Face model folder`);
  const raw = readJsonFile(configPath);
  const importer = importerFor(raw, configPath);
  const config = importer.parseConfig(new HfConfigReader(raw, configPath));
  const generationPath = path.join(dir, 'generation_config.json');
  if (fs.existsSync(generationPath)) {
    const generation = new HfConfigReader(readJsonFile(generationPath), generationPath);
    config.eosTokenIds = [...new Set([...config.eosTokenIds, ...generation.tokenIds('eos_token_id')])];
    if (config.bosTokenId === null) config.bosTokenId = generation.tokenIds('bos_token_id')[0] ?? null;
  }
  return { config, importer };
}

/**
 * Opens a Hugging Face MoE checkpoint folder: config, safetensors (single or sharded), and checks
 * every tensor's presence and shape from the headers before any weight is read.
 */
export function openCheckpoint(dir: string, options: { validate?: boolean } = {}): OpenedCheckpoint {
  const { config, importer } = readConfigAndImporter(dir);
  const checkpoint = SafetensorsCheckpoint.open(dir);
  const weights = new CheckpointWeights(config, checkpoint, importer.naming);
  try {
    if (options.validate !== false) weights.validate();
  } catch (error) {
    weights.close();
    throw error;
  }
  const optionalFile = (name: string) => (fs.existsSync(path.join(dir, name)) ? path.join(dir, name) : null);
  return {
    dir,
    config,
    weights,
    tokenizerPath: optionalFile('tokenizer.json'),
    tokenizerConfigPath: optionalFile('tokenizer_config.json'),
    close: () => weights.close(),
  };
}
