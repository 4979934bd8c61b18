import { randomInt } from 'node:crypto';
import { ChatTemplate, createOrtSession, GenerationError, openModel, TextGenerator, Tokenizer, type FinishReason, type InferenceSession, type OnnxCausalLm, type SessionOptions } from '../../moe';
import { GenerationInputError, ModelUnavailableError } from '../generator.errors';
import type { ChatMessage, ChatOutcome, ChatParams, ChatProvider, ChatStream } from './chat-provider';

/** Completion tokens when the request gives no max_tokens (and the context has room). */
export const DEFAULT_MAX_TOKENS = 512;

export interface OnnxProviderOptions {
  /** The registered name@version, for messages. */
  ref: string;
  folder: string;
  contextLength: number;
  /** Generations at once: each slot keeps its own KV cache; the ONNX session is shared. */
  slots: number;
  session: SessionOptions;
}

/**
 * A local ONNX MoE model folder. The tokenizer and chat template are read when the provider is made
 * (cheap, and a prompt can then be measured before it queues); the ONNX session is opened on the
 * first generation. Messages are rendered with the model's own chat template.
 */
export class OnnxChatProvider implements ChatProvider {
  private readonly tokenizer: Tokenizer | null;
  private readonly template: ChatTemplate | null;
  private readonly free: OnnxCausalLm[] = [];
  private loading: Promise<void> | null = null;
  private session: InferenceSession | null = null;
  /** check() and chat() see the same messages array: tokenize it once. */
  private readonly encoded = new WeakMap<readonly ChatMessage[], number[]>();

  constructor(private readonly options: OnnxProviderOptions, tokenizerPath: string | null) {
    this.tokenizer = tokenizerPath ? Tokenizer.fromFile(tokenizerPath) : null;
    this.template = ChatTemplate.fromDir(options.folder);
  }

  /** Token ids of the rendered conversation, ending with the assistant turn's opening. */
  encode(messages: readonly ChatMessage[]): number[] {
    if (!this.tokenizer) throw new GenerationInputError(`model "${this.options.ref}" has no tokenizer; it cannot take chat messages`);
    if (!this.template) throw new GenerationInputError(`model "${this.options.ref}" has no chat template in its tokenizer_config.json; it cannot take chat messages`);
    let prompt: string;
    try {
      prompt = this.template.render(messages, { addGenerationPrompt: true });
    } catch (e) {
      // Templates refuse what their model was not trained on (e.g. Mistral's: no system turn).
      throw new GenerationInputError(`model "${this.options.ref}": ${(e as Error).message}`, 'messages');
    }
    return this.tokenizer.encode(prompt);
  }

  countTokens(messages: readonly ChatMessage[]): number {
    return this.encode(messages).length;
  }

  check(messages: readonly ChatMessage[], params: ChatParams): void {
    this.measure(messages, params);
  }

  async chat(messages: readonly ChatMessage[], params: ChatParams, signal: AbortSignal): Promise<ChatStream> {
    const { ids, maxNewTokens } = this.measure(messages, params);
    const lm = await this.takeSlot();
    let returned = false;
    const release = () => {
      if (returned) return;
      returned = true;
      lm.reset();
      this.free.push(lm);
    };
    return { promptTokens: ids.length, pieces: this.generate(lm, ids, maxNewTokens, params, signal, release), release };
  }

  private measure(messages: readonly ChatMessage[], params: ChatParams): { ids: number[]; maxNewTokens: number } {
    let ids = this.encoded.get(messages);
    if (!ids) {
      ids = this.encode(messages);
      this.encoded.set(messages, ids);
    }
    const context = this.options.contextLength;
    if (ids.length >= context) {
      throw new GenerationInputError(
        `the prompt is ${ids.length} tokens; model "${this.options.ref}" has a context of ${context} tokens (prompt and completion together); shorten the messages`,
        'messages',
      );
    }
    const room = context - ids.length;
    if (params.maxTokens !== null && params.maxTokens > room) {
      throw new GenerationInputError(
        `max_tokens ${params.maxTokens} plus the ${ids.length}-token prompt exceeds the context of ${context} tokens; ask for at most ${room}`,
        'max_tokens',
      );
    }
    return { ids, maxNewTokens: params.maxTokens ?? Math.min(room, DEFAULT_MAX_TOKENS) };
  }

  private async *generate(lm: OnnxCausalLm, ids: number[], maxNewTokens: number, params: ChatParams, signal: AbortSignal, release: () => void): AsyncGenerator<string, ChatOutcome, void> {
    try {
      const generator = new TextGenerator(lm, this.tokenizer);
      const stream = generator.stream(ids, {
        maxNewTokens,
        temperature: params.temperature,
        greedy: params.temperature === 0,
        topP: params.topP,
        // OpenAI samples differently on every call unless a seed is given.
        seed: params.seed ?? randomInt(0, 2 ** 31),
        stopStrings: params.stop,
        signal,
      });
      for (;;) {
        let next: IteratorResult<{ text: string }, { ids: number[]; finishReason: FinishReason }>;
        try {
          next = await stream.next();
        } catch (e) {
          if (e instanceof GenerationError) throw new GenerationInputError(e.message);
          throw e;
        }
        if (next.done) {
          const { finishReason } = next.value;
          return { promptTokens: ids.length, completionTokens: next.value.ids.length, finishReason: finishReason === 'max_tokens' ? 'length' : 'stop', cancelled: finishReason === 'cancelled' };
        }
        if (next.value.text) yield next.value.text;
      }
    } finally {
      release();
    }
  }

  /** The fair queue lets at most `slots` generations in, so a slot is always free here. */
  private async takeSlot(): Promise<OnnxCausalLm> {
    this.loading ??= this.load().catch((e: Error) => {
      // A failed load is not kept: the next request tries again (the folder may have been fixed).
      this.loading = null;
      throw new ModelUnavailableError(this.options.ref, e.message);
    });
    await this.loading;
    const lm = this.free.pop();
    if (!lm) throw new Error(`no free generation slot on ${this.options.ref}: more generations than GENERATOR_CONCURRENCY got through`);
    return lm;
  }

  private async load(): Promise<void> {
    const { folder, session: options, slots } = this.options;
    const first = await openModel(folder, options, async (file, o) => (this.session = await createOrtSession(file, o)));
    this.free.push(first.lm);
    // Further slots wrap the same session: ONNX Runtime runs concurrent requests on one session.
    for (let i = 1; i < slots; i++) this.free.push((await openModel(folder, options, async () => this.session!)).lm);
  }

  async dispose(): Promise<void> {
    if (this.loading) await this.loading.catch(() => undefined);
    this.free.length = 0;
    await this.session?.dispose();
    this.session = null;
  }
}
