import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRandomCheckpoint, importModel, openModel, TextGenerator, Tokenizer, ChatTemplate } from '../../moe';
import { GenerationInputError } from '../generator.errors';
import type { ChatOutcome, ChatStream } from './chat-provider';
import { OnnxChatProvider } from './onnx-chat.provider';

jest.setTimeout(60_000);

async function drain(stream: ChatStream): Promise<{ text: string; outcome: ChatOutcome }> {
  let text = '';
  for (;;) {
    const next = await stream.pieces.next();
    if (next.done) return { text, outcome: next.value };
    text += next.value;
  }
}

describe('OnnxChatProvider', () => {
  let folder: string;
  const never = new AbortController().signal;
  const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '年假有几天? How many days?' }];

  beforeAll(async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-gen-'));
    createRandomCheckpoint(path.join(root, 'ckpt'), { arch: 'qwen3_moe', layers: 2, hidden: 64, intermediate: 64, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 320, seed: 11 });
    folder = path.join(root, 'model');
    await importModel(path.join(root, 'ckpt'), folder, { bits: 32, maxPositions: 128 });
  });

  const provider = (slots: number, contextLength = 128) =>
    new OnnxChatProvider({ ref: 'q@1', folder, contextLength, slots, session: { intraOpThreads: 1 } }, path.join(folder, 'tokenizer.json'));

  it('renders the chat template and generates what TextGenerator generates on the same ids', async () => {
    const p = provider(1);
    try {
      const stream = await p.chat(messages, { maxTokens: 10, temperature: 0 }, never);
      const { text, outcome } = await drain(stream);

      const tokenizer = Tokenizer.fromFile(path.join(folder, 'tokenizer.json'));
      const ids = tokenizer.encode(ChatTemplate.fromDir(folder)!.render(messages, { addGenerationPrompt: true }));
      expect(stream.promptTokens).toBe(ids.length);
      const opened = await openModel(folder, { intraOpThreads: 1 });
      const expected = await new TextGenerator(opened.lm, tokenizer).generate(ids, { maxNewTokens: 10, greedy: true });
      await opened.lm.dispose();
      expect(text).toBe(expected.text);
      expect(outcome).toEqual({ promptTokens: ids.length, completionTokens: expected.ids.length, finishReason: expected.finishReason === 'max_tokens' ? 'length' : 'stop', cancelled: false });
    } finally {
      await p.dispose();
    }
  });

  it('two slots share one session and run two sequences at once without mixing their caches', async () => {
    const p = provider(2);
    try {
      const other = [{ role: 'user', content: 'something else entirely' }];
      const [one, two] = await Promise.all([p.chat(messages, { maxTokens: 8, temperature: 0 }, never), p.chat(other, { maxTokens: 8, temperature: 0 }, never)]);
      const together = await Promise.all([drain(one), drain(two)]);
      const alone = [await drain(await p.chat(messages, { maxTokens: 8, temperature: 0 }, never)), await drain(await p.chat(other, { maxTokens: 8, temperature: 0 }, never))];
      expect(together).toEqual(alone);
      // A third concurrent generation has no slot: the fair queue must never let it through.
      const held = [await p.chat(messages, { maxTokens: 2 }, never), await p.chat(messages, { maxTokens: 2 }, never)];
      await expect(p.chat(messages, { maxTokens: 2 }, never)).rejects.toThrow(/no free generation slot/);
      // release() frees a slot even when the stream was never read.
      held.forEach((s) => s.release());
      await drain(await p.chat(messages, { maxTokens: 2 }, never));
    } finally {
      await p.dispose();
    }
  });

  it('refuses a prompt over the context and max_tokens past it, before taking a slot', async () => {
    const p = provider(1, 80);
    try {
      expect(() => p.check(messages, { maxTokens: 100 })).toThrow(GenerationInputError);
      expect(() => p.check(messages, { maxTokens: 100 })).toThrow(/max_tokens 100 plus the \d+-token prompt exceeds the context of 80 tokens; ask for at most 18/);
      const long = [{ role: 'user', content: 'lorem ipsum '.repeat(20) }];
      expect(() => p.check(long, { maxTokens: null })).toThrow(/the prompt is \d+ tokens; model "q@1" has a context of 80 tokens/);
    } finally {
      await p.dispose();
    }
  });

  it('stops at the next token when the signal aborts', async () => {
    const p = provider(1);
    try {
      const controller = new AbortController();
      const stream = await p.chat(messages, { maxTokens: 60, temperature: 1, seed: 3 }, controller.signal);
      await stream.pieces.next();
      controller.abort();
      const { outcome } = await drain(stream);
      expect(outcome.cancelled).toBe(true);
      expect(outcome.completionTokens).toBeLessThan(60);
    } finally {
      await p.dispose();
    }
  });
});
