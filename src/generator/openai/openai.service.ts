import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { GenerationInputError } from '../generator.errors';
import type { ChatParams } from '../providers/chat-provider';
import { formatModelRef } from '../registry/model.record';
import { ModelRegistryService } from '../registry/model-registry.service';
import { toChatMessages } from '../serving/chat-messages';
import { GeneratorService, type ChatSession } from '../serving/generator.service';
import type { ChatCompletionRequestDto } from './dto/chat-completion.dto';
import { EmbeddingsService } from './embeddings.service';

export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

const seconds = (d: Date | number) => Math.floor((typeof d === 'number' ? d : d.getTime()) / 1000);

/** Maps the OpenAI protocol onto the generator: request fields → ChatParams, pieces → response bodies and SSE chunks. */
@Injectable()
export class OpenAiService {
  constructor(
    private readonly registry: ModelRegistryService,
    private readonly generator: GeneratorService,
    private readonly embeddings: EmbeddingsService,
  ) {}

  /** Every ready version as name@version, each name alone (its default version), and the embedder. */
  async listModels(): Promise<{ object: 'list'; data: OpenAiModel[] }> {
    const ready = (await this.registry.list()).filter((m) => m.status === 'ready');
    const data: OpenAiModel[] = [];
    const names = new Set<string>();
    for (const m of ready) {
      if (!names.has(m.name.toLowerCase())) {
        names.add(m.name.toLowerCase());
        data.push({ id: m.name, object: 'model', created: seconds(m.createdAt), owned_by: 'zhiku' });
      }
      data.push({ id: formatModelRef(m), object: 'model', created: seconds(m.createdAt), owned_by: m.provider === 'onnx' ? 'zhiku' : 'external' });
    }
    data.push({ id: this.embeddings.modelId, object: 'model', created: 0, owned_by: 'zhiku-retrieval' });
    return { object: 'list', data };
  }

  start(dto: ChatCompletionRequestDto, signal: AbortSignal): Promise<ChatSession> {
    return this.generator.chat(dto.model, toChatMessages(dto.messages), chatParams(dto), signal);
  }

  async complete(dto: ChatCompletionRequestDto, signal: AbortSignal): Promise<Record<string, unknown>> {
    const session = await this.start(dto, signal);
    try {
      let content = '';
      let next = await session.pieces.next();
      while (!next.done) {
        content += next.value;
        next = await session.pieces.next();
      }
      const outcome = next.value;
      return {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        created: seconds(Date.now()),
        model: session.ref,
        choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: outcome.finishReason }],
        usage: usage(session.promptTokens ?? outcome.promptTokens, outcome.completionTokens),
      };
    } finally {
      await session.close();
    }
  }

  /** Writes the session as `chat.completion.chunk` events and the closing `[DONE]`. */
  async stream(session: ChatSession, includeUsage: boolean, write: (event: string) => void): Promise<void> {
    const id = `chatcmpl-${randomUUID()}`;
    const created = seconds(Date.now());
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: session.ref, choices, ...extra })}\n\n`);
    try {
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
      let next = await session.pieces.next();
      while (!next.done) {
        chunk([{ index: 0, delta: { content: next.value }, logprobs: null, finish_reason: null }]);
        next = await session.pieces.next();
      }
      const outcome = next.value;
      chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: outcome.finishReason }]);
      if (includeUsage) chunk([], { usage: usage(session.promptTokens ?? outcome.promptTokens, outcome.completionTokens) });
      write('data: [DONE]\n\n');
    } finally {
      await session.close();
    }
  }
}

function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function chatParams(dto: ChatCompletionRequestDto): ChatParams {
  const stop = dto.stop === undefined ? [] : typeof dto.stop === 'string' ? [dto.stop] : dto.stop;
  if (!Array.isArray(stop) || stop.length > 4 || stop.some((s) => typeof s !== 'string')) {
    throw new GenerationInputError('stop must be a string or an array of at most 4 strings', 'stop');
  }
  if (dto.max_tokens !== undefined && dto.max_completion_tokens !== undefined && dto.max_tokens !== dto.max_completion_tokens) {
    throw new GenerationInputError('max_tokens and max_completion_tokens disagree; send one of them', 'max_tokens');
  }
  return {
    maxTokens: dto.max_completion_tokens ?? dto.max_tokens ?? null,
    // top_p 0 keeps only the most likely token: greedy decoding (the sampler takes top-p in (0, 1]).
    temperature: dto.top_p === 0 ? 0 : dto.temperature,
    topP: dto.top_p === 0 ? undefined : dto.top_p,
    seed: dto.seed,
    stop: stop.filter((s) => s.length > 0),
  };
}
