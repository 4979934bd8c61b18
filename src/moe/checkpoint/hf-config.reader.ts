import { CheckpointError, UnsupportedArchitectureError } from '../moe.errors';
import type { MoeBlockConfig, MoeConfig, RopeScaling } from '../model/moe-config';

export type HfConfig = Record<string, unknown>;

/**
 * Typed access to a config.json. Each getter names the key and the file in its error, so a user
 * sees exactly which field to fix.
 */
export class HfConfigReader {
  constructor(
    readonly raw: HfConfig,
    readonly source: string,
  ) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  int(key: string, fallback?: number): number {
    const value = this.raw[key] ?? fallback;
    if (value === undefined || value === null) throw new CheckpointError(`${this.source} has no ${key}`);
    if (!Number.isInteger(value) || (value as number) < 0) throw new CheckpointError(`${this.source}: ${key} must be a non-negative integer, got ${JSON.stringify(value)}`);
    return value as number;
  }

  positiveInt(key: string, fallback?: number): number {
    const value = this.int(key, fallback);
    if (value === 0) throw new CheckpointError(`${this.source}: ${key} must be positive`);
    return value;
  }

  float(key: string, fallback?: number): number {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new CheckpointError(`${this.source}: ${key} must be a number, got ${JSON.stringify(value)}`);
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== 'boolean') throw new CheckpointError(`${this.source}: ${key} must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  string(key: string, fallback: string): string {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== 'string') throw new CheckpointError(`${this.source}: ${key} must be a string, got ${JSON.stringify(value)}`);
    return value;
  }

  intList(key: string): number[] {
    const value = this.raw[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every(Number.isInteger)) throw new CheckpointError(`${this.source}: ${key} must be a list of integers`);
    return value as number[];
  }

  /** eos_token_id may be one id or a list. */
  tokenIds(key: string): number[] {
    const value = this.raw[key];
    if (value === undefined || value === null) return [];
    return Number.isInteger(value) ? [value as number] : this.intList(key);
  }

  refuse(why: string): never {
    throw new UnsupportedArchitectureError(`${this.source}: ${why}`);
  }
}

/** The Llama-family fields every supported architecture shares, with that architecture's defaults. */
export interface CommonDefaults {
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
}

export type CommonFields = Omit<MoeConfig, 'moe' | 'layerKinds' | 'denseIntermediateSize' | 'attentionBias' | 'qkNorm' | 'architecture'>;

export function readCommonFields(cfg: HfConfigReader, defaults: CommonDefaults): CommonFields {
  const hiddenSize = cfg.positiveInt('hidden_size');
  const numHeads = cfg.positiveInt('num_attention_heads');
  const numKvHeads = cfg.positiveInt('num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) {
    throw new CheckpointError(`${cfg.source}: num_attention_heads (${numHeads}) must be a multiple of num_key_value_heads (${numKvHeads})`);
  }
  if (!cfg.has('head_dim') && hiddenSize % numHeads !== 0) {
    throw new CheckpointError(`${cfg.source}: hidden_size (${hiddenSize}) is not divisible by num_attention_heads (${numHeads}) and no head_dim is given`);
  }
  const ropeParameters = (cfg.raw.rope_parameters ?? null) as Record<string, unknown> | null;
  return {
    vocabSize: cfg.positiveInt('vocab_size'),
    hiddenSize,
    numLayers: cfg.positiveInt('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim: cfg.positiveInt('head_dim', hiddenSize / numHeads),
    rmsNormEps: cfg.float('rms_norm_eps', defaults.rmsNormEps),
    ropeTheta: typeof ropeParameters?.rope_theta === 'number' ? ropeParameters.rope_theta : cfg.float('rope_theta', defaults.ropeTheta),
    ropeScaling: readRopeScaling(cfg, ropeParameters),
    maxPositionEmbeddings: cfg.positiveInt('max_position_embeddings', defaults.maxPositionEmbeddings),
    tieWordEmbeddings: cfg.bool('tie_word_embeddings', false),
    bosTokenId: cfg.tokenIds('bos_token_id')[0] ?? null,
    eosTokenIds: cfg.tokenIds('eos_token_id'),
  };
}

const SUPPORTED_ROPE = new Set(['linear', 'dynamic', 'yarn', 'llama3']);

/** HF writes scaling as rope_scaling (older) or inside rope_parameters (transformers 5). */
function readRopeScaling(cfg: HfConfigReader, ropeParameters: Record<string, unknown> | null): RopeScaling | null {
  const raw = (cfg.raw.rope_scaling ?? ropeParameters) as Record<string, unknown> | null;
  if (!raw) return null;
  const type = String(raw.rope_type ?? raw.type ?? 'default');
  if (type === 'default') return null;
  if (!SUPPORTED_ROPE.has(type)) cfg.refuse(`rope scaling type "${type}" is not supported (supported: ${[...SUPPORTED_ROPE].join(', ')})`);
  if (typeof raw.factor !== 'number') throw new CheckpointError(`${cfg.source}: rope scaling "${type}" has no numeric factor`);
  const { rope_type: _ropeType, type: _type, rope_theta: _theta, ...rest } = raw;
  return { ...rest, type, factor: raw.factor };
}

export function moeBlock(fields: MoeBlockConfig): MoeBlockConfig {
  if (fields.topK < 1 || fields.topK > fields.numExperts) {
    throw new CheckpointError(`num_experts_per_tok (${fields.topK}) must be between 1 and the number of experts (${fields.numExperts})`);
  }
  return fields;
}
