import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint } from '../checkpoint/checkpoint.loader';
import { MoeError } from '../moe.errors';
import { createRandomCheckpoint, RANDOM_ARCHITECTURES } from './random-checkpoint';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-random-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const small = { layers: 2, hidden: 32, intermediate: 16, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300 };

describe('createRandomCheckpoint', () => {
  it.each(RANDOM_ARCHITECTURES)('writes a %s folder that imports with the requested shape', (arch) => {
    const dir = path.join(root, arch);
    const created = createRandomCheckpoint(dir, { arch, ...small, seed: 1 });
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const opened = openCheckpoint(dir);
    expect(opened.config).toEqual(created.config);
    expect(opened.config).toMatchObject({ architecture: arch, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, vocabSize: 300 });
    expect(opened.config.moe).toMatchObject({ numExperts: 4, topK: 2, intermediateSize: 16 });
    expect(opened.config.eosTokenIds.length).toBeGreaterThan(0);
    opened.close();
  });

  it('is deterministic for a seed and changes with it', () => {
    const bytes = (name: string, seed: number) => {
      createRandomCheckpoint(path.join(root, name), { arch: 'olmoe', ...small, seed });
      return fs.readFileSync(path.join(root, name, 'model.safetensors'));
    };
    expect(bytes('a', 9).equals(bytes('b', 9))).toBe(true);
    expect(bytes('c', 10).equals(bytes('a', 9))).toBe(false);
  });

  it('writes no tokenizer when the vocabulary cannot hold the bytes and specials', () => {
    const created = createRandomCheckpoint(path.join(root, 'tiny-vocab'), { arch: 'mixtral', ...small, vocab: 100 });
    expect(created.hasTokenizer).toBe(false);
    expect(fs.existsSync(path.join(root, 'tiny-vocab', 'tokenizer.json'))).toBe(false);
    expect(created.config.eosTokenIds).toEqual([99]);
  });

  it('writes bf16 weights and shards on request', () => {
    const dir = path.join(root, 'bf16');
    createRandomCheckpoint(dir, { arch: 'qwen2_moe', ...small, dtype: 'BF16', maxShardBytes: 16 * 1024 });
    expect(fs.existsSync(path.join(dir, 'model.safetensors.index.json'))).toBe(true);
    const opened = openCheckpoint(dir);
    const gate = opened.weights.layer(1, 'shared_expert_gate');
    // bf16 keeps 8 mantissa bits: the low 16 bits of every widened float are zero.
    expect([...new Uint32Array(gate.data.buffer, gate.data.byteOffset, gate.data.length)].every((u) => (u & 0xffff) === 0)).toBe(true);
    opened.close();
  });

  it('refuses impossible shapes with a message naming the option', () => {
    expect(() => createRandomCheckpoint(path.join(root, 'bad'), { arch: 'mixtral', ...small, heads: 5 })).toThrow(/hidden \(32\) must be divisible by heads \(5\)/);
    expect(() => createRandomCheckpoint(path.join(root, 'bad'), { arch: 'mixtral', ...small, topK: 5 })).toThrow(MoeError);
    expect(() => createRandomCheckpoint(path.join(root, 'bad'), { arch: 'gpt2' as never, ...small })).toThrow(/--arch must be one of/);
  });
});
