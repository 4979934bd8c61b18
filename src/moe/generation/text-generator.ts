import { GenerationError } from '../moe.errors';
import type { CausalLm } from '../model/causal-lm';
import type { Tokenizer } from '../tokenizer/tokenizer';
import type { LogitsProcessor } from './logits-processor';
import { RepetitionPenaltyProcessor } from './repetition-penalty.processor';
import { GreedySampler, Sampler, SeededSampler } from './sampler';
import { EosCriterion, FinishReason, MaxTokensCriterion, StopStringCriterion, StoppingCriterion } from './stopping-criteria';
import { TemperatureProcessor } from './temperature.processor';
import { TopKProcessor } from './top-k.processor';
import { TopPProcessor } from './top-p.processor';

export interface GenerationOptions {
  /** Default 256. */
  maxNewTokens?: number;
  /** Argmax decoding (also chosen by temperature 0); temperature, top-k and top-p are then ignored. */
  greedy?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  /** Seed of the sampler; default 0, so unseeded runs are reproducible too. */
  seed?: number;
  /** Default: the model config's EOS ids. Pass [] to ignore EOS. */
  eosTokenIds?: readonly number[];
  /** Needs a tokenizer; the text stops before the stop string. */
  stopStrings?: readonly string[];
  /** Ends generation with finishReason 'cancelled' at the next token boundary. */
  signal?: AbortSignal;
}

export interface GeneratedToken {
  readonly id: number;
  /** Text that became final with this token ('' while a character or a possible stop string is incomplete). */
  readonly text: string;
}

export interface GenerationResult {
  /** Generated ids, the EOS id included when generation ended on it. */
  readonly ids: number[];
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly promptTokens: number;
  readonly prefillMs: number;
  readonly decodeMs: number;
}

/**
 * The generation loop over any CausalLm: the prompt is prefilled in one forward, then tokens are
 * decoded one at a time against the KV cache. Per step: logits processors → sampler → stopping
 * criteria. `stream` yields tokens as they come; `generate` collects them.
 */
export class TextGenerator {
  constructor(
    private readonly model: CausalLm,
    private readonly tokenizer: Tokenizer | null = null,
  ) {}

  async generate(promptIds: readonly number[], options: GenerationOptions = {}): Promise<GenerationResult> {
    const stream = this.stream(promptIds, options);
    for (;;) {
      const next = await stream.next();
      if (next.done) return next.value;
    }
  }

  async *stream(promptIds: readonly number[], options: GenerationOptions = {}): AsyncGenerator<GeneratedToken, GenerationResult, void> {
    if (promptIds.length === 0) throw new GenerationError('the prompt is empty; give at least one token (a BOS id will do)');
    const stopStrings = options.stopStrings?.filter((s) => s.length > 0) ?? [];
    if (stopStrings.length > 0 && !this.tokenizer) throw new GenerationError('stop strings need a tokenizer; this model has none, so stop with EOS ids or max tokens');
    const greedy = options.greedy === true || options.temperature === 0;
    const processors = buildProcessors({ ...options, greedy });
    const sampler: Sampler = greedy ? new GreedySampler() : new SeededSampler(options.seed ?? 0);
    const stopper = new StopStringCriterion(stopStrings);
    const criteria: StoppingCriterion[] = [
      new EosCriterion(options.eosTokenIds ?? this.model.config.eosTokenIds),
      stopper,
      new MaxTokensCriterion(options.maxNewTokens ?? 256),
    ];
    const sequence = [...promptIds];
    const generated: number[] = [];
    let emitted = '';
    let text = '';
    let finishReason: FinishReason | null = (options.maxNewTokens ?? 256) <= 0 ? 'max_tokens' : null;

    const started = performance.now();
    let prefillMs = 0;
    this.model.reset();
    while (finishReason === null) {
      if (options.signal?.aborted) {
        finishReason = 'cancelled';
        break;
      }
      const first = generated.length === 0;
      const logits = await this.model.forward(first ? sequence : [sequence[sequence.length - 1]]);
      if (first) prefillMs = performance.now() - started;
      let processed: Float32Array = Float32Array.from(logits);
      for (const processor of processors) processed = processor.process(processed, sequence);
      const id = sampler.sample(processed);
      sequence.push(id);
      generated.push(id);
      text = this.tokenizer ? this.tokenizer.decode(generated, { skipSpecialTokens: true }) : '';
      for (const criterion of criteria) {
        finishReason = criterion.check({ generated, text });
        if (finishReason) break;
      }
      const settled = finalText(text, finishReason, stopper);
      yield { id, text: settled.slice(emitted.length) };
      emitted = settled.length > emitted.length ? settled : emitted;
    }
    return {
      ids: generated,
      text: finalText(text, finishReason, stopper),
      finishReason,
      promptTokens: promptIds.length,
      prefillMs,
      decodeMs: performance.now() - started - prefillMs,
    };
  }
}

function buildProcessors(options: GenerationOptions): LogitsProcessor[] {
  const processors: LogitsProcessor[] = [];
  if (options.repetitionPenalty !== undefined && options.repetitionPenalty !== 1) processors.push(new RepetitionPenaltyProcessor(options.repetitionPenalty));
  if (options.greedy) return processors;
  if (options.temperature !== undefined && options.temperature !== 1) processors.push(new TemperatureProcessor(options.temperature));
  if (options.topK !== undefined && options.topK > 0) processors.push(new TopKProcessor(options.topK));
  if (options.topP !== undefined && options.topP < 1) processors.push(new TopPProcessor(options.topP));
  return processors;
}

/**
 * The part of the decoded text that can no longer change: cut before a stop string, and while still
 * generating, without a trailing incomplete UTF-8 character or a possible start of a stop string.
 */
function finalText(text: string, finishReason: FinishReason | null, stopper: StopStringCriterion): string {
  const stopAt = stopper.firstMatch(text);
  if (stopAt !== null) return text.slice(0, stopAt);
  if (finishReason !== null) return text;
  let end = text.length;
  while (end > 0 && text[end - 1] === '\uFFFD') end--;
  return text.slice(0, end - stopper.pendingSuffix(text.slice(0, end)));
}
