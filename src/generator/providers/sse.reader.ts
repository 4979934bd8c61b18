/**
 * The `data:` payloads of a server-sent event stream, one string per event (multi-line data joined
 * with "\n"), as they arrive. Comments (":"), other fields and blank keep-alive events are skipped.
 */
export async function* readSseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string, void, void> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const line = function* (text: string): Generator<string> {
    if (text === '') {
      if (data.length > 0) yield data.join('\n');
      data = [];
    } else if (text.startsWith('data:')) {
      data.push(text.slice(text.startsWith('data: ') ? 6 : 5));
    }
  };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const text = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
      yield* line(text);
    }
  }
  buffer += decoder.decode();
  if (buffer) yield* line(buffer);
  yield* line('');
}
