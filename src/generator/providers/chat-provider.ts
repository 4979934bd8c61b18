import type { ChatMessage } from '../../moe';

export type { ChatMessage };

/** Sampling and limits of one chat request, already validated. */
export interface ChatParams {
  /** null: as many as the context allows (capped by the provider's default). */
  maxTokens: number | null;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
}

export type ChatFinishReason = 'stop' | 'length';

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatOutcome extends ChatUsage {
  finishReason: ChatFinishReason;
  /** The signal stopped it early (the client went away). */
  cancelled?: boolean;
}

/**
 * One running generation: `pieces` yields text as it becomes final and returns the finish reason
 * and token counts. `promptTokens` is known before the first piece (null when the endpoint tells
 * only at the end).
 */
export interface ChatStream {
  readonly promptTokens: number | null;
  readonly pieces: AsyncGenerator<string, ChatOutcome, void>;
  /**
   * Frees what the stream holds (a model slot, a connection), also when `pieces` was never started
   * (a generator's `finally` only runs once it has started). Idempotent.
   */
  release(): void;
}

/**
 * A model that answers chat messages: a local ONNX model or an external OpenAI-compatible endpoint.
 * `chat` checks the request (prompt length against the context, the endpoint's answer) before it
 * resolves, so a bad request is an error the caller can still answer with a status code; once it
 * has resolved, the stream runs until done, failure, or `signal`.
 */
export interface ChatProvider {
  /** Prompt tokens of the rendered messages, where the provider can count them. */
  countTokens?(messages: readonly ChatMessage[]): number;
  /** Refuses what can be refused before queueing (a prompt over the context); optional. */
  check?(messages: readonly ChatMessage[], params: ChatParams): void;
  chat(messages: readonly ChatMessage[], params: ChatParams, signal: AbortSignal): Promise<ChatStream>;
  /** Frees sessions and connections; the provider is not used afterwards. */
  dispose(): Promise<void>;
}
