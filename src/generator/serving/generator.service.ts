import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { GenerationCancelledError, NoModelError } from '../generator.errors';
import type { ChatMessage, ChatOutcome, ChatParams } from '../providers/chat-provider';
import { formatModelRef, type ModelRecord } from '../registry/model.record';
import { ModelRegistryService } from '../registry/model-registry.service';
import { FairQueue } from './fair-queue';
import { ProviderPool } from './provider-pool';

/** A generation that has passed every check and holds its slot until `close()` (or its end). */
export interface ChatSession {
  readonly model: ModelRecord;
  /** name@version. */
  readonly ref: string;
  readonly promptTokens: number | null;
  readonly pieces: AsyncGenerator<string, ChatOutcome, void>;
  /** Stops the generation if still running and frees its slot; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Chat generation for the app (the /v1 API, the assistant): resolve the model → lease its provider
 * → wait for a slot in the model's fair queue → start the provider's stream. Every check that has
 * an HTTP answer (404, 400, 429, 502) happens before the session is returned.
 */
@Injectable()
export class GeneratorService {
  private readonly queue: FairQueue;
  private readonly counts = { completed: 0, cancelled: 0, failed: 0 };

  constructor(
    private readonly registry: ModelRegistryService,
    private readonly pool: ProviderPool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = new FairQueue(config.generatorConcurrency, config.generatorQueueLimit);
  }

  /** Running and waiting generations of a model version. */
  queueStats(modelId: string): { running: number; waiting: number } {
    return this.queue.stats(modelId);
  }

  /** Models with generations running or waiting, by name@version. */
  lanesInUse(): Array<{ label: string; running: number; waiting: number }> {
    return this.queue.lanesInUse();
  }

  /** Generations since start, by how they ended. */
  generationCounts(): { completed: number; cancelled: number; failed: number } {
    return { ...this.counts };
  }

  /**
   * Prompt tokens of `messages` as the model will see them (its chat template and tokenizer), and its
   * context length, so a caller can trim what it puts in a prompt. null where the provider cannot
   * tell (an external endpoint). `modelRef` null: the default model.
   */
  async measure(modelRef: string | null, messages: readonly ChatMessage[]): Promise<{ ref: string; promptTokens: number | null; contextLength: number | null }> {
    const model = await this.model(modelRef);
    const lease = this.pool.lease(model);
    try {
      return { ref: formatModelRef(model), promptTokens: lease.provider.countTokens?.(messages) ?? null, contextLength: model.contextLength };
    } finally {
      lease.release();
    }
  }

  /** `modelRef` null: the default model (NoModelError, 503, when none is ready). */
  async chat(modelRef: string | null, messages: readonly ChatMessage[], params: ChatParams, signal: AbortSignal): Promise<ChatSession> {
    const model = await this.model(modelRef);
    const ref = formatModelRef(model);
    const lease = this.pool.lease(model);
    let release: (() => void) | null = null;
    try {
      lease.provider.check?.(messages, params);
      release = await this.queue.acquire(model.id, ref, signal);
      const stream = await lease.provider.chat(messages, params, signal);
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        try {
          await stream.pieces.return(undefined as never);
        } finally {
          stream.release();
          release?.();
          lease.release();
        }
      };
      return { model, ref, promptTokens: stream.promptTokens, pieces: this.guarded(stream.pieces, close, signal), close };
    } catch (e) {
      release?.();
      lease.release();
      throw e;
    }
  }

  private async model(ref: string | null): Promise<ModelRecord> {
    if (ref !== null) return this.registry.resolve(ref);
    const model = await this.registry.defaultModel();
    if (!model) throw new NoModelError();
    return model;
  }

  /** Passes the provider's pieces through, counts how the generation ended, and closes the session however iteration ends. */
  private async *guarded(inner: AsyncGenerator<string, ChatOutcome, void>, close: () => Promise<void>, signal: AbortSignal): AsyncGenerator<string, ChatOutcome, void> {
    try {
      for (;;) {
        const next = await inner.next();
        if (next.done) {
          this.counts[next.value.cancelled || signal.aborted ? 'cancelled' : 'completed']++;
          return next.value;
        }
        yield next.value;
      }
    } catch (e) {
      this.counts[e instanceof GenerationCancelledError || signal.aborted ? 'cancelled' : 'failed']++;
      throw e;
    } finally {
      await close();
    }
  }
}
