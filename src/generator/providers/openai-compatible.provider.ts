import { GenerationCancelledError, GenerationInputError, UpstreamError } from '../generator.errors';
import type { ChatMessage, ChatOutcome, ChatParams, ChatProvider, ChatStream } from './chat-provider';
import { readSseData } from './sse.reader';

export interface OpenAiCompatibleOptions {
  ref: string;
  /** e.g. http://vllm:8000/v1 (no trailing slash). */
  baseUrl: string;
  apiKey: string | null;
  remoteModel: string;
}

interface StreamChunk {
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

/**
 * Forwards chat to an external OpenAI-compatible server (vLLM, Ollama, another Zhiku), always
 * streaming (SSE) so tokens pass through as they come and a cancelled request closes the upstream
 * connection. The endpoint's refusals become our 4xx/502 with its message.
 */
export class OpenAiCompatibleProvider implements ChatProvider {
  constructor(private readonly options: OpenAiCompatibleOptions) {}

  async chat(messages: readonly ChatMessage[], params: ChatParams, signal: AbortSignal): Promise<ChatStream> {
    const { baseUrl, apiKey, remoteModel, ref } = this.options;
    const body = {
      model: remoteModel,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      ...(params.maxTokens !== null ? { max_tokens: params.maxTokens } : {}),
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.topP !== undefined ? { top_p: params.topP } : {}),
      ...(params.seed !== undefined ? { seed: params.seed } : {}),
      ...(params.stop?.length ? { stop: params.stop } : {}),
    };
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (signal.aborted) throw new GenerationCancelledError();
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new UpstreamError(`model "${ref}": cannot reach ${baseUrl} (${cause?.code ?? cause?.message ?? (e as Error).message})`);
    }
    if (!response.ok) throw await upstreamRefusal(ref, baseUrl, response);
    const stream = response.body;
    if (!stream) throw new UpstreamError(`model "${ref}": ${baseUrl} answered without a body`);
    // Cancelling the body closes the upstream connection, so the endpoint stops generating too.
    const release = () => void stream.cancel().catch(() => undefined);
    return { promptTokens: null, pieces: this.pieces(stream, signal), release };
  }

  private async *pieces(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<string, ChatOutcome, void> {
    let finishReason: ChatOutcome['finishReason'] = 'stop';
    let usage: StreamChunk['usage'] = null;
    let pieces = 0;
    try {
      for await (const data of readSseData(body)) {
        if (data.trim() === '[DONE]') break;
        let chunk: StreamChunk;
        try {
          chunk = JSON.parse(data) as StreamChunk;
        } catch {
          throw new UpstreamError(`model "${this.options.ref}": the endpoint sent an event that is not JSON: ${data.slice(0, 200)}`);
        }
        if (chunk.error) throw new UpstreamError(`model "${this.options.ref}": the endpoint failed mid-stream: ${chunk.error.message ?? 'no message'}`);
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) finishReason = choice.finish_reason === 'length' ? 'length' : 'stop';
        const text = choice?.delta?.content;
        if (text) {
          pieces++;
          yield text;
        }
      }
    } catch (e) {
      if (signal.aborted) throw new GenerationCancelledError();
      throw e;
    }
    // Without usage from the endpoint, each streamed piece is counted as one token (what most servers send).
    return { promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? pieces, finishReason };
  }

  async dispose(): Promise<void> {
    // fetch keeps no per-provider state: nothing to free.
  }
}

async function upstreamRefusal(ref: string, baseUrl: string, response: Response): Promise<Error> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    message = (typeof parsed.error === 'string' ? parsed.error : parsed.error?.message) ?? parsed.message ?? message;
  } catch {
    // not JSON: keep the text
  }
  const what = `model "${ref}": ${baseUrl} answered ${response.status}: ${message}`;
  if (response.status === 400 || response.status === 413 || response.status === 422) return new GenerationInputError(what);
  if (response.status === 429) return new UpstreamError(what, 429);
  if (response.status === 401 || response.status === 403) return new UpstreamError(`${what} (check the API key registered with the model)`);
  return new UpstreamError(what);
}
