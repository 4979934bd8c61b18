import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointError, UnsupportedArchitectureError } from '../moe.errors';
import { createRandomCheckpoint } from '../random/random-checkpoint';
import { MOE_FIXTURES } from '../testing/fixture-paths';
import { openCheckpoint, readMoeConfig } from './checkpoint.loader';
import { floatToBf16, floatToHalf, halfToFloat } from './dtype';
import { parseMoeConfig } from './importer.registry';
import { SafetensorsCheckpoint, SafetensorsFile } from './safetensors.reader';
import { writeSafetensors, writeShardedSafetensors } from './safetensors.writer';

const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-ckpt-'));
  made.push(dir);
  return dir;
}

/** Copies a fixture folder so a test can damage it. */
function copyFixture(name: string): string {
  const dir = tempDir();
  for (const file of fs.readdirSync(path.join(MOE_FIXTURES, name))) fs.copyFileSync(path.join(MOE_FIXTURES, name, file), path.join(dir, file));
  for (const file of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, file), 0o644);
  return dir;
}

/** Rewrites model.safetensors with `edit` applied to its tensor list. */
function rewrite(dir: string, edit: (tensors: { name: string; shape: readonly number[]; data: Float32Array }[]) => void): void {
  const file = SafetensorsFile.open(path.join(dir, 'model.safetensors'));
  const tensors = [...file.entries.keys()].map((name) => ({ name, ...file.read(name) }));
  file.close();
  edit(tensors);
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
}

describe('config import', () => {
  it('maps the fixtures onto MoeConfig', () => {
    const mixtral = readMoeConfig(path.join(MOE_FIXTURES, 'mixtral_tiny'));
    expect(mixtral).toMatchObject({ architecture: 'mixtral', numHeads: 4, numKvHeads: 4, headDim: 8, eosTokenIds: [20] });
    expect(mixtral.moe).toMatchObject({ numExperts: 4, topK: 2, intermediateSize: 64, normTopKProb: true, sharedExpert: null });
    const qwen = readMoeConfig(path.join(MOE_FIXTURES, 'qwen2_moe_tiny'));
    expect(qwen).toMatchObject({ architecture: 'qwen2_moe', numKvHeads: 2, attentionBias: true, layerKinds: ['moe', 'moe'] });
    expect(qwen.moe).toMatchObject({ intermediateSize: 16, normTopKProb: false, sharedExpert: { intermediateSize: 24, gated: true } });
  });

  it('reads DeepSeek-MoE with dense first layers and ungated shared experts', () => {
    const config = parseMoeConfig({
      architectures: ['DeepseekForCausalLM'], vocab_size: 100, hidden_size: 32, num_hidden_layers: 3, num_attention_heads: 4,
      n_routed_experts: 8, num_experts_per_tok: 2, moe_intermediate_size: 16, n_shared_experts: 2, first_k_dense_replace: 1,
      intermediate_size: 64, moe_layer_freq: 1, eos_token_id: 5,
    });
    expect(config.layerKinds).toEqual(['dense', 'moe', 'moe']);
    expect(config.moe.sharedExpert).toEqual({ intermediateSize: 32, gated: false });
    expect(config.denseIntermediateSize).toBe(64);
  });

  it('refuses MLA DeepSeek configs, unknown architectures and missing fields with typed errors', () => {
    const mla = { architectures: ['DeepseekV2ForCausalLM'], kv_lora_rank: 512, q_lora_rank: null, hidden_size: 32 };
    expect(() => parseMoeConfig(mla)).toThrow(UnsupportedArchitectureError);
    expect(() => parseMoeConfig(mla)).toThrow(/multi-head latent attention \(MLA/);
    expect(() => parseMoeConfig({ architectures: ['LlamaForCausalLM'] })).toThrow(/LlamaForCausalLM is not supported; supported: MixtralForCausalLM/);
    expect(() => parseMoeConfig({ model_type: 'mixtral' })).toThrow(CheckpointError);
    expect(() => parseMoeConfig({ architectures: ['MixtralForCausalLM'], hidden_size: 32 })).toThrow(/has no num_attention_heads/);
  });

  it('keeps rope scaling, including transformers 5 rope_parameters', () => {
    const base = { architectures: ['Qwen3MoeForCausalLM'], vocab_size: 10, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, moe_intermediate_size: 4, num_experts: 2, num_experts_per_tok: 1 };
    expect(parseMoeConfig({ ...base, rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: 32768 } }).ropeScaling)
      .toEqual({ type: 'yarn', factor: 4, original_max_position_embeddings: 32768 });
    expect(parseMoeConfig({ ...base, rope_parameters: { rope_type: 'default', rope_theta: 1e6 } })).toMatchObject({ ropeTheta: 1e6, ropeScaling: null });
  });
});

describe('safetensors', () => {
  it('round-trips F32, F16 and BF16 through the writer and reader', () => {
    const dir = tempDir();
    const values = new Float32Array([0, 1, -2.5, 65504, 1e-6, 3.14159]);
    const file = path.join(dir, 'x.safetensors');
    writeSafetensors(file, [
      { name: 'f32', shape: [2, 3], data: values },
      { name: 'f16', shape: [6], dtype: 'F16', data: values },
      { name: 'bf16', shape: [6], dtype: 'BF16', data: values },
    ]);
    const reader = SafetensorsFile.open(file);
    expect([...reader.read('f32').data]).toEqual([...values]);
    expect([...reader.read('f16').data]).toEqual([...values].map((v) => halfToFloat(floatToHalf(v))));
    expect(reader.read('bf16').data[2]).toBe(-2.5);
    expect(Math.abs(reader.read('bf16').data[5] - 3.14159)).toBeLessThan(0.02);
    expect(floatToBf16(1)).toBe(0x3f80);
    expect([...reader.readElements(reader.entry('f32'), 3, 2)]).toEqual([65504, values[4]]);
    reader.close();
  });

  it('reads sharded checkpoints through model.safetensors.index.json', () => {
    const dir = copyFixture('mixtral_tiny');
    const single = SafetensorsCheckpoint.open(dir);
    const entries = single.tensorNames.map((name) => ({ name, shape: single.entry(name).shape, data: single.read(name).data }));
    const sharded = tempDir();
    fs.copyFileSync(path.join(dir, 'config.json'), path.join(sharded, 'config.json'));
    expect(writeShardedSafetensors(sharded, entries, 64 * 1024).length).toBeGreaterThan(2);
    const opened = openCheckpoint(sharded);
    expect([...opened.weights.expert(1, 3, 'down_proj').data]).toEqual([...single.readElements('model.layers.1.mlp.experts.down_proj', 3 * 32 * 64, 32 * 64)]);
    opened.close();
    single.close();
  });
});

describe('lazy reads', () => {
  it('reads one expert of a packed tensor by a positioned read of its slice only', () => {
    const opened = openCheckpoint(path.join(MOE_FIXTURES, 'mixtral_tiny'));
    const file = opened.weights.checkpoint.fileOf('model.layers.0.mlp.experts.gate_up_proj');
    const before = { ...file.stats };
    const up = opened.weights.expert(0, 2, 'up_proj');
    // gate_up_proj is [4, 128, 32] f32 (32 KiB per layer): expert 2's up half alone is 64 × 32 floats.
    expect(file.stats.reads - before.reads).toBe(1);
    expect(file.stats.bytesRead - before.bytesRead).toBe(64 * 32 * 4);
    const whole = opened.weights.checkpoint.read('model.layers.0.mlp.experts.gate_up_proj').data;
    expect([...up.data]).toEqual([...whole.subarray((2 * 128 + 64) * 32, (2 * 128 + 128) * 32)]);
    expect(up.shape).toEqual([64, 32]);
    opened.close();
  });
});

describe('corrupted checkpoints', () => {
  it('names a missing tensor', () => {
    const dir = copyFixture('qwen2_moe_tiny');
    rewrite(dir, (t) => t.splice(t.findIndex((x) => x.name === 'model.layers.1.self_attn.k_proj.bias'), 1));
    expect(() => openCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => openCheckpoint(dir)).toThrow(/model\.layers\.1\.self_attn\.k_proj\.bias \(layer 1 k_bias\) is missing/);
  });

  it('names a tensor with the wrong shape and its file', () => {
    const dir = copyFixture('mixtral_tiny_classic_layout');
    rewrite(dir, (t) => {
      const w = t.find((x) => x.name === 'model.layers.0.block_sparse_moe.experts.2.w2.weight')!;
      w.shape = [64, 32];
    });
    expect(() => openCheckpoint(dir)).toThrow(/experts\.2\.w2\.weight in .*model\.safetensors has shape \[64, 32\] but .* needs \[32, 64\]/);
  });

  it('detects a truncated file at open', () => {
    const dir = copyFixture('mixtral_tiny');
    const file = path.join(dir, 'model.safetensors');
    fs.truncateSync(file, fs.statSync(file).size - 100);
    expect(() => openCheckpoint(dir)).toThrow(/model\.norm\.weight in .*: its data ends at byte \d+ .* the file is truncated/);
  });

  it('rejects a header that is not JSON or overruns the file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'model.safetensors');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(10n);
    fs.writeFileSync(file, Buffer.concat([length, Buffer.from('{not json}')]));
    expect(() => SafetensorsFile.open(file)).toThrow(/not a valid safetensors file: the header is not JSON/);
    length.writeBigUInt64LE(1000n);
    fs.writeFileSync(file, Buffer.concat([length, Buffer.from('{}')]));
    expect(() => SafetensorsFile.open(file)).toThrow(/claims 1000 bytes but the file has 10/);
    fs.writeFileSync(file, Buffer.from('abc'));
    expect(() => SafetensorsFile.open(file)).toThrow(CheckpointError);
  });

  it('rejects unsupported dtypes and inconsistent offsets', () => {
    const dir = tempDir();
    const file = path.join(dir, 'model.safetensors');
    const write = (header: object, dataBytes: number) => {
      const json = Buffer.from(JSON.stringify(header));
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(json.length));
      fs.writeFileSync(file, Buffer.concat([length, json, Buffer.alloc(dataBytes)]));
    };
    write({ w: { dtype: 'I8', shape: [4], data_offsets: [0, 4] } }, 4);
    expect(() => SafetensorsFile.open(file)).toThrow(/tensor w .* dtype I8 is not supported/);
    write({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 12] } }, 16);
    expect(() => SafetensorsFile.open(file)).toThrow(/needs 16 bytes but data_offsets span 12/);
  });

  it('names a shard that the index lists but the folder lacks', () => {
    const dir = tempDir();
    createRandomCheckpoint(dir, { arch: 'olmoe', layers: 2, hidden: 16, intermediate: 16, heads: 2, kvHeads: 1, vocab: 64, maxShardBytes: 8 * 1024 });
    const shards = fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors'));
    fs.rmSync(path.join(dir, shards[1]));
    expect(() => openCheckpoint(dir)).toThrow(new RegExp(`shard ${shards[1].replace(/\./g, '\\.')} listed in .* is missing`));
  });

  it('explains a folder without config.json or weights', () => {
    const dir = tempDir();
    expect(() => openCheckpoint(dir)).toThrow(/has no config\.json/);
    fs.copyFileSync(path.join(MOE_FIXTURES, 'mixtral_tiny', 'config.json'), path.join(dir, 'config.json'));
    expect(() => openCheckpoint(dir)).toThrow(/no weights in .*: expected model\.safetensors/);
  });
});
