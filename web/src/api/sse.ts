import { send } from './client';
import { SseDecoder, type StreamEvent } from './sse-decoder';

export type { StreamEvent };

/**
 * Sends a request (a POST with a JSON body, or a GET) and reads the answer as server-sent events.
 * EventSource cannot send the Authorization header, so this is fetch plus a ReadableStream reader.
 * Errors with a status (400, 404, 429) arrive before the stream and throw ApiError from send().
 */
export async function streamEvents(path: string, body: unknown, onEvent: (e: StreamEvent) => void, signal?: AbortSignal, method: 'POST' | 'GET' = 'POST'): Promise<void> {
  const res = await send(method, path, body, signal);
  if (!res.body) throw new Error('the browser gave no response stream');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const decoder = new SseDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const event of decoder.push(value)) onEvent(event);
  }
}
