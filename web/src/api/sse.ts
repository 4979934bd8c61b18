import { send } from './client';

export interface StreamEvent {
  event: string;
  data: unknown;
}

/**
 * Sends a request (a POST with a JSON body, or a GET) and reads the answer as server-sent events. EventSource cannot send the
 * Authorization header, so this is fetch plus a ReadableStream reader and a small SSE parser.
 * Errors with a status (400, 404, 429) arrive before the stream and throw ApiError from send().
 */
export async function streamEvents(path: string, body: unknown, onEvent: (e: StreamEvent) => void, signal?: AbortSignal, method: 'POST' | 'GET' = 'POST'): Promise<void> {
  const res = await send(method, path, body, signal);
  if (!res.body) throw new Error('the browser gave no response stream');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer[end] === '\r' ? 4 : 2));
      const parsed = parseEvent(raw);
      if (parsed) onEvent(parsed);
    }
  }
}

export function parseEvent(raw: string): StreamEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of raw.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (!data.length) return null;
  const text = data.join('\n');
  try {
    return { event, data: JSON.parse(text) };
  } catch {
    return { event, data: text };
  }
}
