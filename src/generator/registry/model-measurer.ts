import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { measureSpeed, openModel, perplexityOfIds, Tokenizer, type OpenedModel } from '../../moe';
import { GenerationInputError } from '../generator.errors';
import type { ModelMeasurements } from './model.record';

/** Short on purpose: a tiny model measures in well under a second, a real one in a few seconds. */
export const MEASURE_PROMPT_TOKENS = 64;
export const MEASURE_DECODE_TOKENS = 16;
/** Tokens of a perplexity text that are scored; the rest is ignored, so one request stays bounded. */
export const PERPLEXITY_MAX_TOKENS = 4096;
const PERPLEXITY_WINDOW = 512;

export type MeasuredFigures = Partial<Pick<ModelMeasurements, 'decodeTokensPerS' | 'prefillTokensPerS' | 'peakRssMb' | 'threads' | 'perplexity' | 'perplexityTokens'>>;

/**
 * Measures an imported ONNX model folder on its own session (never a serving one, whose KV caches
 * belong to running generations), with the serving execution provider and thread count.
 */
@Injectable()
export class ModelMeasurer {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async measure(folder: string, text?: string): Promise<MeasuredFigures> {
    const opened = await openModel(folder, { executionProvider: this.config.generatorExecutionProvider, intraOpThreads: this.config.generatorThreads });
    try {
      const ids = text === undefined ? null : this.tokenize(opened, text);
      const maxPositions = opened.manifest.graph.maxPositions;
      const speed = await measureSpeed(opened.lm, {
        promptTokens: Math.max(1, Math.min(MEASURE_PROMPT_TOKENS, maxPositions - MEASURE_DECODE_TOKENS - 1)),
        decodeTokens: MEASURE_DECODE_TOKENS,
      });
      const figures: MeasuredFigures = {
        decodeTokensPerS: speed.decode_tokens_per_s,
        prefillTokensPerS: speed.prefill_tokens_per_s,
        peakRssMb: speed.peak_rss_mb,
        threads: this.config.generatorThreads,
      };
      if (ids) {
        const ppl = await perplexityOfIds(opened.lm, ids, Math.min(PERPLEXITY_WINDOW, maxPositions));
        if (!Number.isFinite(ppl.perplexity)) throw new GenerationInputError(`the perplexity came out as ${ppl.perplexity}: the model's logits are not finite`);
        figures.perplexity = ppl.perplexity;
        figures.perplexityTokens = ppl.tokens;
      }
      return figures;
    } finally {
      await opened.lm.dispose();
    }
  }

  private tokenize(opened: OpenedModel, text: string): number[] {
    if (!opened.tokenizerPath) throw new GenerationInputError('this model has no tokenizer.json, so it cannot read a text for perplexity', 'text');
    const ids = Tokenizer.fromFile(opened.tokenizerPath).encode(text, { addSpecialTokens: true });
    if (ids.length < 2) throw new GenerationInputError(`the text is ${ids.length} token(s) long; perplexity needs at least two`, 'text');
    return ids.slice(0, PERPLEXITY_MAX_TOKENS);
  }
}
