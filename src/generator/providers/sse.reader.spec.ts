import { readSseData } from './sse.reader';

async function collect(parts: string[]): Promise<string[]> {
  async function* body() {
    for (const p of parts) yield new TextEncoder().encode(p);
  }
  const out: string[] = [];
  for await (const data of readSseData(body())) out.push(data);
  return out;
}

describe('readSseData', () => {
  it('splits events across chunk boundaries, joins multi-line data and skips comments', async () => {
    const events = await collect(['data: {"a":', '1}\n\n: keep-alive\n\nda', 'ta: x\r\ndata: y\r\n\r\nevent: ping\ndata:[DONE]\n\n']);
    expect(events).toEqual(['{"a":1}', 'x\ny', '[DONE]']);
  });

  it('keeps a multi-byte character split between chunks, and a last event without a blank line', async () => {
    const bytes = new TextEncoder().encode('data: 知库\n\ndata: end'); // byte 8 is inside 知
    async function* body() {
      yield bytes.slice(0, 8);
      yield bytes.slice(8);
    }
    const out: string[] = [];
    for await (const d of readSseData(body())) out.push(d);
    expect(out).toEqual(['知库', 'end']);
  });
});
