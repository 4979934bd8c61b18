// Server-sent events, decoded from text as it arrives. Kept free of browser APIs so the server's
// tests can run it (test/console.e2e-spec.ts).

export interface StreamEvent {
  event: string;
  data: unknown;
}

/** One event block ("event:", "data:" lines); data is JSON when it parses, else the text. */
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

/** Feeds text in pieces of any size (a network read can end mid-line); returns the events completed. */
export class SseDecoder {
  private buffer = '';

  push(text: string): StreamEvent[] {
    this.buffer += text;
    const events: StreamEvent[] = [];
    for (let m = /\r?\n\r?\n/.exec(this.buffer); m; m = /\r?\n\r?\n/.exec(this.buffer)) {
      const parsed = parseEvent(this.buffer.slice(0, m.index));
      this.buffer = this.buffer.slice(m.index + m[0].length);
      if (parsed) events.push(parsed);
    }
    return events;
  }
}
