import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeSafetensors, type SafetensorsWriteEntry } from '../../../moe/checkpoint/safetensors.writer';
import type { RandomArchitecture } from '../../../moe/random/random-checkpoint';
import type { RandomTokenizerFiles } from '../../../moe/random/random-tokenizer';
import { baseParameterTensor, type BaseParameter, type BaseWeightRef } from '../graph/base-weights';
import { TrainingError } from '../training.errors';

const LAYER_NAMES: Record<string, string> = {
  input_norm: 'input_layernorm.weight',
  post_attention_norm: 'post_attention_layernorm.weight',
  q_proj: 'self_attn.q_proj.weight',
  k_proj: 'self_attn.k_proj.weight',
  v_proj: 'self_attn.v_proj.weight',
  o_proj: 'self_attn.o_proj.weight',
  q_bias: 'self_attn.q_proj.bias',
  k_bias: 'self_attn.k_proj.bias',
  v_bias: 'self_attn.v_proj.bias',
  q_norm: 'self_attn.q_norm.weight',
  k_norm: 'self_attn.k_norm.weight',
  shared_gate_proj: 'mlp.shared_expert.gate_proj.weight',
  shared_up_proj: 'mlp.shared_expert.up_proj.weight',
  shared_down_proj: 'mlp.shared_expert.down_proj.weight',
  shared_expert_gate: 'mlp.shared_expert_gate.weight',
  dense_gate_proj: 'mlp.gate_proj.weight',
  dense_up_proj: 'mlp.up_proj.weight',
  dense_down_proj: 'mlp.down_proj.weight',
};
const GLOBAL_NAMES: Record<string, string> = { embed_tokens: 'model.embed_tokens.weight', final_norm: 'model.norm.weight', lm_head: 'lm_head.weight' };

/**
 * The Hugging Face tensor name of a weight in the layouts src/moe's random checkpoints use (and
 * transformers writes): Mixtral's block_sparse_moe with w1/w3/w2 experts, Qwen/OLMoE's mlp.experts.
 */
export function hfTensorName(arch: RandomArchitecture, ref: BaseWeightRef): string {
  if (ref.kind === 'global') return GLOBAL_NAMES[ref.name];
  const layer = `model.layers.${ref.layer}.`;
  const block = arch === 'mixtral' ? 'block_sparse_moe' : 'mlp';
  if (ref.kind === 'layer') return ref.name === 'router' ? `${layer}${block}.gate.weight` : layer + LAYER_NAMES[ref.name];
  const expert = arch === 'mixtral' ? { gate_proj: 'w1', up_proj: 'w3', down_proj: 'w2' }[ref.name] : ref.name;
  return `${layer}${block}.experts.${ref.expert}.${expert}.weight`;
}

/**
 * Writes a trained model as a Hugging Face folder: config.json (given), model.safetensors (float32,
 * every trained tensor under its HF name), tokenizer.json and tokenizer_config.json (with its chat
 * template). Written into a sibling temporary folder and renamed, so outDir is complete or absent.
 */
export function writeHfCheckpoint(
  outDir: string,
  arch: RandomArchitecture,
  hfConfig: Record<string, unknown>,
  params: readonly BaseParameter[],
  values: ReadonlyMap<string, Float32Array>,
  tokenizer: RandomTokenizerFiles,
): void {
  const target = path.resolve(outDir);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) throw new TrainingError(`${target} already exists and is not empty; choose another --out`);
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    const entries: SafetensorsWriteEntry[] = params.map((p) => {
      const t = baseParameterTensor(p, values.get(p.name)!);
      return { name: hfTensorName(arch, p.ref), shape: [...t.shape], data: t.data };
    });
    writeSafetensors(path.join(staging, 'model.safetensors'), entries, { format: 'pt' });
    fs.writeFileSync(path.join(staging, 'config.json'), JSON.stringify(hfConfig, null, 2));
    fs.writeFileSync(path.join(staging, 'tokenizer.json'), JSON.stringify(tokenizer.tokenizer));
    fs.writeFileSync(path.join(staging, 'tokenizer_config.json'), JSON.stringify(tokenizer.tokenizerConfig, null, 2));
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
