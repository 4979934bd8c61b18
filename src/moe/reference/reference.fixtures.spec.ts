import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCheckpoint } from '../checkpoint/checkpoint.loader';
import { MOE_FIXTURES } from '../testing/fixture-paths';
import { ReferenceCausalLm } from './reference.model';

interface Reference {
  input_ids: number[];
  hf_logits: number[];
  greedy_ids?: number[];
}

function load(name: string): ReferenceCausalLm {
  const checkpoint = openCheckpoint(path.join(MOE_FIXTURES, name));
  return new ReferenceCausalLm(checkpoint.config, checkpoint.weights);
}

function readJson<T>(name: string, file: string): T {
  return JSON.parse(fs.readFileSync(path.join(MOE_FIXTURES, name, file), 'utf8')) as T;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

describe('reference pass on Hugging Face fixtures', () => {
  it.each(['mixtral_tiny', 'qwen2_moe_tiny'])('%s reproduces hf_logits within 1e-4', async (name) => {
    const ref = readJson<Reference>(name, 'reference.json');
    const model = load(name);
    const logits = await model.forward(ref.input_ids, { allLogits: true });
    expect(maxAbsDiff(logits, ref.hf_logits)).toBeLessThan(1e-4);
    await model.dispose();
  });

  it('gives identical logits for the classic and packed Mixtral layouts', async () => {
    const ids = readJson<Reference>('mixtral_tiny', 'reference.json').input_ids;
    const packed = load('mixtral_tiny');
    const classic = load('mixtral_tiny_classic_layout');
    const a = await packed.forward(ids, { allLogits: true });
    const b = await classic.forward(ids, { allLogits: true });
    expect(maxAbsDiff(a, b)).toBe(0);
    await packed.dispose();
    await classic.dispose();
  });

  it('qwen2_moe_tiny greedy continuation with the KV cache matches greedy_ids', async () => {
    const ref = readJson<Reference>('qwen2_moe_tiny', 'reference.json');
    const model = load('qwen2_moe_tiny');
    const out: number[] = [];
    let logits = await model.forward(ref.input_ids);
    for (let i = 0; i < ref.greedy_ids!.length; i++) {
      out.push(argmax(logits));
      logits = await model.forward([out[out.length - 1]]);
    }
    expect(out).toEqual(ref.greedy_ids);
    await model.dispose();
  });

  it('mixtral_tiny cached decode reproduces generate.json step logits', async () => {
    const gen = readJson<{ prompt_ids: number[]; generated_ids: number[]; step_logits: number[] }>('mixtral_tiny', 'generate.json');
    const model = load('mixtral_tiny');
    const vocab = model.config.vocabSize;
    let logits = await model.forward(gen.prompt_ids);
    for (let step = 0; step < gen.generated_ids.length; step++) {
      expect(maxAbsDiff(logits, gen.step_logits.slice(step * vocab, (step + 1) * vocab))).toBeLessThan(1e-4);
      expect(argmax(logits)).toBe(gen.generated_ids[step]);
      logits = await model.forward([gen.generated_ids[step]]);
    }
    await model.dispose();
  });
});
