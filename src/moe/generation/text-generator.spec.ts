import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint } from '../checkpoint/checkpoint.loader';
import { GenerationError } from '../moe.errors';
import { createRandomCheckpoint } from '../random/random-checkpoint';
import { ReferenceCausalLm } from '../reference/reference.model';
import { MOE_FIXTURES } from '../testing/fixture-paths';
import { Tokenizer } from '../tokenizer/tokenizer';
import { GeneratedToken, GenerationResult, TextGenerator } from './text-generator';

function load(dir: string): ReferenceCausalLm {
  const checkpoint = openCheckpoint(dir);
  return new ReferenceCausalLm(checkpoint.config, checkpoint.weights);
}

function fixture<T>(name: string, file: string): T {
  return JSON.parse(fs.readFileSync(path.join(MOE_FIXTURES, name, file), 'utf8')) as T;
}

async function collect(stream: AsyncGenerator<GeneratedToken, GenerationResult>): Promise<{ tokens: GeneratedToken[]; result: GenerationResult }> {
  const tokens: GeneratedToken[] = [];
  for (;;) {
    const next = await stream.next();
    if (next.done) return { tokens, result: next.value };
    tokens.push(next.value);
  }
}

describe('TextGenerator on the Hugging Face fixtures', () => {
  it('mixtral_tiny: greedy with the KV cache reproduces generate.json and stops at EOS', async () => {
    const gen = fixture<{ prompt_ids: number[]; generated_ids: number[] }>('mixtral_tiny', 'generate.json');
    const generator = new TextGenerator(load(path.join(MOE_FIXTURES, 'mixtral_tiny')));
    const all = await generator.generate(gen.prompt_ids, { greedy: true, maxNewTokens: gen.generated_ids.length, eosTokenIds: [] });
    expect(all.ids).toEqual(gen.generated_ids);
    expect(all.finishReason).toBe('max_tokens');
    const stopped = await generator.generate(gen.prompt_ids, { greedy: true, maxNewTokens: gen.generated_ids.length });
    expect(stopped.ids).toEqual([17, 20]);
    expect(stopped.finishReason).toBe('eos');
  });

  it('qwen2_moe_tiny: greedy continuation matches greedy_ids up to EOS', async () => {
    const ref = fixture<{ input_ids: number[]; greedy_ids: number[]; eos_token_id: number }>('qwen2_moe_tiny', 'reference.json');
    const generator = new TextGenerator(load(path.join(MOE_FIXTURES, 'qwen2_moe_tiny')));
    const result = await generator.generate(ref.input_ids, { greedy: true, maxNewTokens: ref.greedy_ids.length });
    const eosAt = ref.greedy_ids.indexOf(ref.eos_token_id);
    expect(result.ids).toEqual(ref.greedy_ids.slice(0, eosAt + 1));
    expect(result.finishReason).toBe('eos');
  });
});

describe('TextGenerator on a random checkpoint with a tokenizer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-gen-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  createRandomCheckpoint(dir, { arch: 'qwen3_moe', layers: 2, hidden: 32, intermediate: 32, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 400, seed: 3 });
  const tokenizer = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
  const prompt = tokenizer.encode('知识库 knowledge base');

  it('greedy output is the argmax chain of full recomputation', async () => {
    const result = await new TextGenerator(load(dir), tokenizer).generate(prompt, { greedy: true, maxNewTokens: 8, eosTokenIds: [] });
    const model = load(dir);
    const chain: number[] = [];
    for (let i = 0; i < 8; i++) {
      model.reset();
      const logits = await model.forward([...prompt, ...chain]);
      chain.push(logits.indexOf(Math.max(...logits)));
    }
    expect(result.ids).toEqual(chain);
  });

  it('seeded sampling is reproducible and the seed matters', async () => {
    const generator = new TextGenerator(load(dir), tokenizer);
    const options = { maxNewTokens: 12, temperature: 1.5, topK: 50, topP: 0.95, repetitionPenalty: 1.1, eosTokenIds: [] };
    const a = await generator.generate(prompt, { ...options, seed: 42 });
    const b = await generator.generate(prompt, { ...options, seed: 42 });
    const c = await generator.generate(prompt, { ...options, seed: 43 });
    expect(a.ids).toEqual(b.ids);
    expect(a.ids).not.toEqual(c.ids);
  });

  it('stops at a stop string, never streaming any of it', async () => {
    const generator = new TextGenerator(load(dir), tokenizer);
    const free = await generator.generate(prompt, { greedy: true, maxNewTokens: 24, eosTokenIds: [] });
    expect(free.text.length).toBeGreaterThan(6);
    const stop = free.text.slice(4, 6);
    const cut = free.text.indexOf(stop);
    const { tokens, result } = await collect(generator.stream(prompt, { greedy: true, maxNewTokens: 24, eosTokenIds: [], stopStrings: [stop] }));
    expect(result.finishReason).toBe('stop_string');
    expect(result.text).toBe(free.text.slice(0, cut));
    expect(tokens.map((t) => t.text).join('')).toBe(result.text);
    expect(result.ids).toEqual(free.ids.slice(0, result.ids.length));
    expect(result.ids.length).toBeLessThan(24);
  });

  it('streams text whose pieces join to the decoded output', async () => {
    const { tokens, result } = await collect(new TextGenerator(load(dir), tokenizer).stream(prompt, { seed: 5, maxNewTokens: 16, eosTokenIds: [] }));
    expect(tokens.map((t) => t.id)).toEqual(result.ids);
    expect(tokens.map((t) => t.text).join('')).toBe(result.text);
    expect(result.text).toBe(tokenizer.decode(result.ids, { skipSpecialTokens: true }));
  });

  it('cancels at the next token when the signal aborts', async () => {
    const controller = new AbortController();
    const stream = new TextGenerator(load(dir), tokenizer).stream(prompt, { greedy: true, maxNewTokens: 50, eosTokenIds: [], signal: controller.signal });
    const seen: number[] = [];
    for (;;) {
      const next = await stream.next();
      if (next.done) {
        expect(next.value.finishReason).toBe('cancelled');
        expect(next.value.ids).toEqual(seen);
        break;
      }
      seen.push(next.value.id);
      if (seen.length === 3) controller.abort();
    }
    expect(seen).toHaveLength(3);
    const before = await new TextGenerator(load(dir)).generate(prompt, { signal: AbortSignal.abort() });
    expect(before).toMatchObject({ ids: [], finishReason: 'cancelled' });
  });

  it('refuses stop strings without a tokenizer and an empty prompt', async () => {
    const generator = new TextGenerator(load(dir));
    await expect(generator.generate(prompt, { stopStrings: ['x'] })).rejects.toThrow(GenerationError);
    await expect(generator.generate([], {})).rejects.toThrow(/prompt is empty/);
  });
});
