import { createProgress, formatDuration } from './progress';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 80, write: (c: string) => chunks.push(c) } };
}

describe('createProgress', () => {
  it('draws a bar with counts, percent and ETA on a terminal', () => {
    let t = 0;
    const { chunks, stream } = fakeStream(true);
    const progress = createProgress({ label: 'ingest', total: 4, stream, now: () => t });
    t = 10_000;
    progress.tick(1, 'a.pdf');
    expect(chunks[0]).toMatch(/^\ringest \[######\.{18}\] 1\/4  25% ETA 30s  a\.pdf/);
    progress.finish();
    expect(chunks[1]).toMatch(/^\ringest: done, 1\/4 in 10s\s*\n$/);
  });

  it('prints plain lines, throttled, when not a terminal or with --json', () => {
    let t = 0;
    const { chunks, stream } = fakeStream(true);
    const progress = createProgress({ label: 'quantize', total: 100, json: true, stream, now: () => t, lineIntervalS: 5 });
    t = 1000;
    progress.update(10);
    t = 2000;
    progress.update(20); // within 5 s of the last line: not printed
    t = 7000;
    progress.update(70, 'layer 7');
    progress.finish('quantized');
    expect(chunks).toEqual([
      'quantize: 10/100 (10%) ETA 9s\n',
      'quantize: 70/100 (70%) ETA 3s layer 7\n',
      'quantize: quantized, 70/100 in 7s\n',
    ]);
  });

  it('shows elapsed time when the total is unknown', () => {
    const { chunks, stream } = fakeStream(false);
    const progress = createProgress({ label: 'scan', stream, now: () => 3000 });
    progress.tick(5);
    expect(chunks[0]).toMatch(/^scan: 5 \d+s elapsed\n$/);
  });

  it('formats durations', () => {
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(7260)).toBe('2h01m');
    expect(formatDuration(Infinity)).toBe('?');
  });
});
