import * as fs from 'node:fs';
import * as path from 'node:path';
import { readMoeConfig } from '../checkpoint/checkpoint.loader';
import type { SafetensorsDtype } from '../checkpoint/dtype';
import { SafetensorsWriteEntry, writeSafetensors, writeShardedSafetensors } from '../checkpoint/safetensors.writer';
import { MoeError } from '../moe.errors';
import type { MoeConfig } from '../model/moe-config';
import { buildRandomTokenizer } from './random-tokenizer';
import { SeededRandom } from './seeded-random';

export type RandomArchitecture = 'mixtral' | 'qwen2_moe' | 'qwen3_moe' | 'olmoe';
export const RANDOM_ARCHITECTURES: readonly RandomArchitecture[] = ['mixtral', 'qwen2_moe', 'qwen3_moe', 'olmoe'];

export interface RandomCheckpointOptions {
  arch: RandomArchitecture;
  layers?: number;
  hidden?: number;
  /** Intermediate size of each expert (and of the shared expert and dense layers). */
  intermediate?: number;
  experts?: number;
  topK?: number;
  heads?: number;
  kvHeads?: number;
  vocab?: number;
  seed?: number;
  /** Qwen only: layers that get a dense MLP instead of a MoE block (`mlp_only_layers`). */
  denseLayers?: number[];
  dtype?: SafetensorsDtype;
  /** Write shards of at most this many bytes plus model.safetensors.index.json instead of one file. */
  maxShardBytes?: number;
}

export interface RandomCheckpoint {
  readonly dir: string;
  readonly config: MoeConfig;
  /** Whether tokenizer.json was written (vocab must hold 256 bytes plus the special tokens). */
  readonly hasTokenizer: boolean;
}

const DEFAULTS = { layers: 2, hidden: 64, intermediate: 96, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 512, seed: 0 };

/**
 * Writes a random-weight checkpoint in the Hugging Face layout (config.json, model.safetensors,
 * tokenizer.json, tokenizer_config.json) for tests and benchmarks. The same options give the same
 * bytes. Tensors are generated one at a time while writing, so large shapes stay within memory.
 */
export function createRandomCheckpoint(dir: string, options: RandomCheckpointOptions): RandomCheckpoint {
  const o = { ...DEFAULTS, ...options };
  validate(o);
  fs.mkdirSync(dir, { recursive: true });
  const tokenizer = buildRandomTokenizer(o.arch === 'mixtral' ? 'mistral' : 'chatml', o.vocab);
  const hfConfig = buildHfConfig(o, tokenizer?.bosTokenId ?? null, tokenizer?.eosTokenIds ?? [o.vocab - 1]);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(hfConfig, null, 2));
  const entries = tensorEntries(o);
  if (o.maxShardBytes) writeShardedSafetensors(dir, entries, o.maxShardBytes);
  else writeSafetensors(path.join(dir, 'model.safetensors'), entries, { format: 'pt' });
  if (tokenizer) {
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.tokenizer));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizer.tokenizerConfig, null, 2));
  }
  return { dir, config: readMoeConfig(dir), hasTokenizer: tokenizer !== null };
}

type Resolved = Required<Omit<RandomCheckpointOptions, 'denseLayers' | 'dtype' | 'maxShardBytes'>> & RandomCheckpointOptions;

function validate(o: Resolved): void {
  if (!RANDOM_ARCHITECTURES.includes(o.arch)) throw new MoeError(`--arch must be one of ${RANDOM_ARCHITECTURES.join(', ')}, got ${o.arch}`);
  for (const key of ['layers', 'hidden', 'intermediate', 'experts', 'topK', 'heads', 'kvHeads', 'vocab'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new MoeError(`${key} must be a positive integer, got ${o[key]}`);
  }
  if (o.hidden % o.heads !== 0) throw new MoeError(`hidden (${o.hidden}) must be divisible by heads (${o.heads})`);
  if ((o.hidden / o.heads) % 2 !== 0) throw new MoeError(`the head size hidden/heads (${o.hidden / o.heads}) must be even for RoPE`);
  if (o.heads % o.kvHeads !== 0) throw new MoeError(`heads (${o.heads}) must be a multiple of kvHeads (${o.kvHeads})`);
  if (o.topK > o.experts) throw new MoeError(`topK (${o.topK}) cannot exceed experts (${o.experts})`);
  if (o.denseLayers?.length && !o.arch.startsWith('qwen')) throw new MoeError('denseLayers applies to qwen2_moe and qwen3_moe only');
}

function buildHfConfig(o: Resolved, bos: number | null, eos: number[]): Record<string, unknown> {
  const common = {
    vocab_size: o.vocab,
    hidden_size: o.hidden,
    num_hidden_layers: o.layers,
    num_attention_heads: o.heads,
    num_key_value_heads: o.kvHeads,
    max_position_embeddings: 4096,
    rms_norm_eps: 1e-6,
    rope_theta: 10000.0,
    tie_word_embeddings: false,
    bos_token_id: bos,
    eos_token_id: eos.length === 1 ? eos[0] : eos,
    torch_dtype: o.dtype === 'BF16' ? 'bfloat16' : o.dtype === 'F16' ? 'float16' : 'float32',
    _comment: `random weights, seed ${o.seed}, written by zhiku model create-random`,
  };
  switch (o.arch) {
    case 'mixtral':
      return { architectures: ['MixtralForCausalLM'], model_type: 'mixtral', ...common, intermediate_size: o.intermediate, num_local_experts: o.experts, num_experts_per_tok: o.topK, router_jitter_noise: 0 };
    case 'qwen2_moe':
      return {
        architectures: ['Qwen2MoeForCausalLM'], model_type: 'qwen2_moe', ...common,
        intermediate_size: o.intermediate, moe_intermediate_size: o.intermediate, shared_expert_intermediate_size: o.intermediate,
        num_experts: o.experts, num_experts_per_tok: o.topK, decoder_sparse_step: 1, norm_topk_prob: false, mlp_only_layers: o.denseLayers ?? [],
      };
    case 'qwen3_moe':
      return {
        architectures: ['Qwen3MoeForCausalLM'], model_type: 'qwen3_moe', ...common, head_dim: o.hidden / o.heads, attention_bias: false,
        intermediate_size: o.intermediate, moe_intermediate_size: o.intermediate, num_experts: o.experts, num_experts_per_tok: o.topK,
        decoder_sparse_step: 1, norm_topk_prob: true, mlp_only_layers: o.denseLayers ?? [],
      };
    case 'olmoe':
      return { architectures: ['OlmoeForCausalLM'], model_type: 'olmoe', ...common, intermediate_size: o.intermediate, num_experts: o.experts, num_experts_per_tok: o.topK, norm_topk_prob: false, clip_qkv: null };
  }
}

/** Every tensor the architecture's Hugging Face checkpoint holds, with values produced on demand. */
function tensorEntries(o: Resolved): SafetensorsWriteEntry[] {
  const entries: SafetensorsWriteEntry[] = [];
  const headDim = o.hidden / o.heads;
  const q = o.heads * headDim;
  const kv = o.kvHeads * headDim;
  // Matrices scaled by 1/sqrt(fan-in) so activations stay O(1) and routing varies token to token.
  const matrix = (name: string, rows: number, cols: number, scale = 1 / Math.sqrt(cols)) =>
    entries.push({ name, shape: [rows, cols], dtype: o.dtype, data: () => randomValues(o.seed, name, rows * cols, 0, scale) });
  const vector = (name: string, size: number, mean: number, scale: number) =>
    entries.push({ name, shape: [size], dtype: o.dtype, data: () => randomValues(o.seed, name, size, mean, scale) });

  matrix('model.embed_tokens.weight', o.vocab, o.hidden, 1);
  const dense = new Set(o.denseLayers ?? []);
  for (let l = 0; l < o.layers; l++) {
    const p = `model.layers.${l}.`;
    vector(`${p}input_layernorm.weight`, o.hidden, 1, 0.1);
    vector(`${p}post_attention_layernorm.weight`, o.hidden, 1, 0.1);
    matrix(`${p}self_attn.q_proj.weight`, q, o.hidden);
    matrix(`${p}self_attn.k_proj.weight`, kv, o.hidden);
    matrix(`${p}self_attn.v_proj.weight`, kv, o.hidden);
    matrix(`${p}self_attn.o_proj.weight`, o.hidden, q);
    if (o.arch === 'qwen2_moe') {
      vector(`${p}self_attn.q_proj.bias`, q, 0, 0.1);
      vector(`${p}self_attn.k_proj.bias`, kv, 0, 0.1);
      vector(`${p}self_attn.v_proj.bias`, kv, 0, 0.1);
    }
    if (o.arch === 'qwen3_moe') {
      vector(`${p}self_attn.q_norm.weight`, headDim, 1, 0.1);
      vector(`${p}self_attn.k_norm.weight`, headDim, 1, 0.1);
    }
    if (o.arch === 'olmoe') {
      vector(`${p}self_attn.q_norm.weight`, q, 1, 0.1);
      vector(`${p}self_attn.k_norm.weight`, kv, 1, 0.1);
    }
    if (dense.has(l)) {
      matrix(`${p}mlp.gate_proj.weight`, o.intermediate, o.hidden);
      matrix(`${p}mlp.up_proj.weight`, o.intermediate, o.hidden);
      matrix(`${p}mlp.down_proj.weight`, o.hidden, o.intermediate);
      continue;
    }
    const block = o.arch === 'mixtral' ? `${p}block_sparse_moe.` : `${p}mlp.`;
    matrix(`${block}gate.weight`, o.experts, o.hidden, 2 / Math.sqrt(o.hidden));
    const [gate, up, down] = o.arch === 'mixtral' ? ['w1', 'w3', 'w2'] : ['gate_proj', 'up_proj', 'down_proj'];
    for (let e = 0; e < o.experts; e++) {
      matrix(`${block}experts.${e}.${gate}.weight`, o.intermediate, o.hidden);
      matrix(`${block}experts.${e}.${up}.weight`, o.intermediate, o.hidden);
      matrix(`${block}experts.${e}.${down}.weight`, o.hidden, o.intermediate);
    }
    if (o.arch === 'qwen2_moe') {
      matrix(`${p}mlp.shared_expert.gate_proj.weight`, o.intermediate, o.hidden);
      matrix(`${p}mlp.shared_expert.up_proj.weight`, o.intermediate, o.hidden);
      matrix(`${p}mlp.shared_expert.down_proj.weight`, o.hidden, o.intermediate);
      matrix(`${p}mlp.shared_expert_gate.weight`, 1, o.hidden);
    }
  }
  vector('model.norm.weight', o.hidden, 1, 0.1);
  matrix('lm_head.weight', o.vocab, o.hidden);
  return entries;
}

function randomValues(seed: number, name: string, count: number, mean: number, scale: number): Float32Array {
  const random = SeededRandom.forLabel(seed, name);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + scale * random.normal();
  return out;
}
