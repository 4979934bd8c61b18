import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { ModelRegistryService, type ModelRecord } from '../generator';
import { Tokenizer } from '../moe';
import { estimateTokens, type TokenCounter } from '../prompts';

/** Room left for the chat template's role markers around the rendered messages. */
const TEMPLATE_OVERHEAD_TOKENS = 48;

/** Which model answers, and how its prompts are measured against its context. */
@Injectable()
export class ModelPicker {
  private readonly counters = new Map<string, TokenCounter>();

  constructor(private readonly registry: ModelRegistryService) {}

  /**
   * A named model (404 when unknown or not ready), else the default: the version marked default,
   * else the newest ready one. null: no generative model at all, so the assistant is extractive.
   */
  async pick(ref: string | undefined): Promise<ModelRecord | null> {
    if (ref?.trim()) return this.registry.resolve(ref);
    const ready = (await this.registry.list()).filter((m) => m.status === 'ready');
    if (!ready.length) return null;
    return ready.find((m) => m.isDefault) ?? [...ready].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  }

  /** Tokens the prompt's messages may take: the context less the answer and the template's overhead. */
  budget(model: ModelRecord, maxTokens: number): number {
    return Math.max(64, (model.contextLength ?? 4096) - maxTokens - TEMPLATE_OVERHEAD_TOKENS);
  }

  /** The model's own tokenizer when it is a local folder; otherwise a cautious estimate. */
  counter(model: ModelRecord): TokenCounter {
    let counter = this.counters.get(model.id);
    if (counter) return counter;
    const file = model.folder ? path.join(model.folder, 'tokenizer.json') : null;
    if (file && fs.existsSync(file)) {
      const tokenizer = Tokenizer.fromFile(file);
      counter = (text) => tokenizer.encode(text).length;
    } else {
      counter = (text) => Math.ceil(estimateTokens(text) * 1.5);
    }
    this.counters.set(model.id, counter);
    return counter;
  }
}
