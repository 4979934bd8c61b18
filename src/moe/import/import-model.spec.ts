import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointError, MoeError } from '../moe.errors';
import { maxAbsDiff } from '../onnx/testing/build-and-load';
import { openModel } from '../runtime/open-model';
import { MOE_FIXTURES } from '../testing/fixture-paths';
import { createRandomCheckpoint } from '../random/random-checkpoint';
import { importModel } from './import-model';
import { ModelFolderError } from './model-folder.errors';
import { readManifest } from './model-manifest';

interface Reference {
  input_ids: number[];
  hf_logits: number[];
  greedy_ids?: number[];
}
interface Generate {
  prompt_ids: number[];
  generated_ids: number[];
  step_logits: number[];
}

const fixture = <T>(name: string, file: string): T =>
  JSON.parse(fs.readFileSync(path.join(MOE_FIXTURES, name, file), 'utf8')) as T;

const argmax = (v: Float32Array): number => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

describe('importModel on the Hugging Face fixtures', () => {
  let work: string;
  beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-import-'))));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each([
    ['mixtral_tiny', true],
    ['mixtral_tiny', false],
    ['qwen2_moe_tiny', true],
    ['qwen2_moe_tiny', false],
  ])('%s (contrib ops: %s) reproduces hf_logits within 1e-4', async (name, contribOps) => {
    const out = path.join(work, `${name}-${contribOps}`);
    const manifest = await importModel(path.join(MOE_FIXTURES, name), out, { bits: 32, contribOps });
    expect(manifest.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.tokenizerFiles).toEqual([]);
    const { lm } = await openModel(out, { intraOpThreads: 1 });
    const ref = fixture<Reference>(name, 'reference.json');
    const logits = await lm.forward(ref.input_ids, { allLogits: true });
    expect(maxAbsDiff(logits, ref.hf_logits)).toBeLessThan(1e-4);
    if (ref.greedy_ids) {
      // Greedy continuation from the KV cache, token by token, stopping at EOS (the fixture's
      // eos_token_id is one of its greedy tokens; transformers was run without stopping).
      const eos = ref.greedy_ids.findIndex((id) => lm.config.eosTokenIds.includes(id));
      const expected = eos >= 0 ? ref.greedy_ids.slice(0, eos + 1) : ref.greedy_ids;
      const vocab = lm.config.vocabSize;
      let next = argmax(logits.subarray((ref.input_ids.length - 1) * vocab));
      const produced = [next];
      while (produced.length < ref.greedy_ids.length && !lm.config.eosTokenIds.includes(next)) {
        next = argmax(await lm.forward([next]));
        produced.push(next);
      }
      expect(produced).toEqual(expected);
    }
    await lm.dispose();
  });

  it('decodes mixtral_tiny from its KV cache exactly as full recomputation did (generate.json)', async () => {
    const out = path.join(work, 'mixtral-generate');
    await importModel(path.join(MOE_FIXTURES, 'mixtral_tiny'), out, { bits: 32 });
    const { lm } = await openModel(out, { intraOpThreads: 1 });
    const gen = fixture<Generate>('mixtral_tiny', 'generate.json');
    const vocab = lm.config.vocabSize;
    let logits = await lm.forward(gen.prompt_ids);
    for (let step = 0; step < gen.generated_ids.length; step++) {
      expect(maxAbsDiff(logits, gen.step_logits.slice(step * vocab, (step + 1) * vocab))).toBeLessThan(1e-4);
      expect(argmax(logits)).toBe(gen.generated_ids[step]);
      logits = await lm.forward([gen.generated_ids[step]]);
    }
    await lm.dispose();
  });

  it('gives the classic Mixtral layout the same graph weights as the packed one', async () => {
    const a = path.join(work, 'packed');
    const b = path.join(work, 'classic');
    // The classic config omits max_position_embeddings, so pin the rotary table length for both.
    await importModel(path.join(MOE_FIXTURES, 'mixtral_tiny'), a, { bits: 32, maxPositions: 64 });
    await importModel(path.join(MOE_FIXTURES, 'mixtral_tiny_classic_layout'), b, { bits: 32, maxPositions: 64 });
    expect(fs.readFileSync(path.join(a, 'model.onnx.data')).equals(fs.readFileSync(path.join(b, 'model.onnx.data')))).toBe(true);
  });

  it('records the plan in the manifest and keeps quantized logits near float32', async () => {
    const src = path.join(MOE_FIXTURES, 'qwen2_moe_tiny');
    const f32 = path.join(work, 'q-f32');
    const q8 = path.join(work, 'q-int8');
    await importModel(src, f32, { bits: 32 });
    const manifest = await importModel(src, q8, { bits: 8, group: 32 });
    expect(manifest.weights.bits).toBe(8);
    expect(manifest.weights.bitsPerClass.router).toBe(32);
    expect(manifest.weights.bitsPerClass.expert_gate_up).toBe(8);
    expect(readManifest(q8).weights.decodeBytesPerToken).toBeLessThan(readManifest(f32).weights.decodeBytesPerToken);
    const ids = fixture<Reference>('qwen2_moe_tiny', 'reference.json').input_ids;
    const a = await openModel(f32, { intraOpThreads: 1 });
    const b = await openModel(q8, { intraOpThreads: 1 });
    const la = await a.lm.forward(ids, { allLogits: true });
    const lb = await b.lm.forward(ids, { allLogits: true });
    // INT8 weights with int8 activations (accuracy_level 4) on logits of magnitude ~0.3.
    expect(maxAbsDiff(la, lb)).toBeLessThan(1e-2);
    expect(maxAbsDiff(la, lb)).toBeGreaterThan(0);
    await a.lm.dispose();
    await b.lm.dispose();
  });
});

describe('importModel on generated checkpoints', () => {
  let work: string;
  beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-import-gen-'))));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('imports a sharded bf16 checkpoint to the same weights as its single-file copy', async () => {
    const options = { arch: 'qwen3_moe' as const, vocab: 300, hidden: 64, layers: 2, seed: 9, dtype: 'BF16' as const };
    createRandomCheckpoint(path.join(work, 'single'), options);
    createRandomCheckpoint(path.join(work, 'sharded'), { ...options, maxShardBytes: 64 * 1024 });
    expect(fs.existsSync(path.join(work, 'sharded', 'model.safetensors.index.json'))).toBe(true);
    const a = await importModel(path.join(work, 'single'), path.join(work, 'a'), { bits: 32 });
    const b = await importModel(path.join(work, 'sharded'), path.join(work, 'b'), { bits: 32 });
    expect(a.source.sha256).not.toBe(b.source.sha256);
    expect(b.tokenizerFiles).toEqual(['tokenizer.json', 'tokenizer_config.json']);
    const data = (dir: string) => fs.readFileSync(path.join(work, dir, 'model.onnx.data'));
    expect(data('a').equals(data('b'))).toBe(true);
  });
});

describe('importModel errors', () => {
  let work: string;
  beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-import-err-'))));
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it('refuses to overwrite a non-empty folder', async () => {
    fs.writeFileSync(path.join(work, 'keep.txt'), 'x');
    await expect(importModel(path.join(MOE_FIXTURES, 'mixtral_tiny'), work, { bits: 32 })).rejects.toThrow(MoeError);
    expect(fs.existsSync(path.join(work, 'keep.txt'))).toBe(true);
  });

  it('fails on a checkpoint with a missing tensor and leaves nothing behind', async () => {
    const broken = path.join(work, 'broken');
    fs.mkdirSync(broken);
    fs.copyFileSync(path.join(MOE_FIXTURES, 'mixtral_tiny', 'config.json'), path.join(broken, 'config.json'));
    const config = JSON.parse(fs.readFileSync(path.join(broken, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(broken, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 3 }));
    fs.copyFileSync(path.join(MOE_FIXTURES, 'mixtral_tiny', 'model.safetensors'), path.join(broken, 'model.safetensors'));
    const out = path.join(work, 'out');
    await expect(importModel(broken, out, { bits: 32 })).rejects.toThrow(CheckpointError);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(work)).toEqual(['broken']);
  });

  it('refuses an unsupported bit width', async () => {
    await expect(importModel(path.join(MOE_FIXTURES, 'mixtral_tiny'), path.join(work, 'o'), { bits: 5 as never })).rejects.toThrow(
      /use 32, 16, 8, 4, 3 or 2/,
    );
  });

  it('opening a folder that is not an imported model names the problem', async () => {
    await expect(openModel(work)).rejects.toThrow(ModelFolderError);
    await expect(openModel(path.join(work, 'nope'))).rejects.toThrow(/not a model folder/);
  });
});
