import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { ChatProvider } from '../providers/chat-provider';
import { OnnxChatProvider } from '../providers/onnx-chat.provider';
import { OpenAiCompatibleProvider } from '../providers/openai-compatible.provider';
import { formatModelRef, type ModelRecord } from '../registry/model.record';
import * as path from 'node:path';
import { MoeError, readManifest } from '../../moe';
import { ModelUnavailableError } from '../generator.errors';

interface Entry {
  provider: ChatProvider;
  leases: number;
  /** Unloaded while leased: disposed when the last lease ends. */
  evicted: boolean;
}

export interface ProviderLease {
  readonly provider: ChatProvider;
  release(): void;
}

/**
 * The loaded providers, one per registered model version, made on first use (an ONNX session is
 * opened on its first generation) and kept until the model is removed or the app stops. A model
 * removed while generating is disposed when its last generation ends.
 */
@Injectable()
export class ProviderPool implements OnModuleDestroy {
  private readonly logger = new Logger('Generator');
  private readonly entries = new Map<string, Entry>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  lease(model: ModelRecord): ProviderLease {
    let entry = this.entries.get(model.id);
    if (!entry) {
      entry = { provider: this.create(model), leases: 0, evicted: false };
      this.entries.set(model.id, entry);
    }
    const held = entry;
    held.leases++;
    let released = false;
    return {
      provider: held.provider,
      release: () => {
        if (released) return;
        released = true;
        held.leases--;
        if (held.evicted && held.leases === 0) void this.dispose(model.id, held);
      },
    };
  }

  async unload(modelId: string): Promise<void> {
    const entry = this.entries.get(modelId);
    if (!entry) return;
    this.entries.delete(modelId);
    entry.evicted = true;
    if (entry.leases === 0) await this.dispose(modelId, entry);
  }

  async onModuleDestroy(): Promise<void> {
    const all = [...this.entries.entries()];
    this.entries.clear();
    await Promise.all(all.map(([id, entry]) => this.dispose(id, entry)));
  }

  private create(model: ModelRecord): ChatProvider {
    try {
      return this.make(model);
    } catch (e) {
      if (e instanceof MoeError) throw new ModelUnavailableError(formatModelRef(model), e.message);
      throw e;
    }
  }

  private make(model: ModelRecord): ChatProvider {
    const ref = formatModelRef(model);
    if (model.provider === 'openai-compatible') {
      return new OpenAiCompatibleProvider({ ref, baseUrl: model.baseUrl!, apiKey: model.apiKey, remoteModel: model.remoteModel ?? model.name });
    }
    const folder = model.folder!;
    const manifest = readManifest(folder);
    const tokenizer = manifest.tokenizerFiles.includes('tokenizer.json') ? path.join(folder, 'tokenizer.json') : null;
    return new OnnxChatProvider(
      {
        ref,
        folder,
        contextLength: model.contextLength ?? manifest.graph.maxPositions,
        slots: this.config.generatorConcurrency,
        session: { executionProvider: this.config.generatorExecutionProvider, intraOpThreads: this.config.generatorThreads },
      },
      tokenizer,
    );
  }

  private async dispose(modelId: string, entry: Entry): Promise<void> {
    try {
      await entry.provider.dispose();
    } catch (e) {
      this.logger.warn({ msg: 'disposing a model failed', modelId, error: (e as Error).message });
    }
  }
}
