import { lineDiff, unifiedDiff } from './line-diff';

describe('line diff', () => {
  it('marks removed, added and kept lines with their line numbers', () => {
    const d = lineDiff('a\nb\nc\nd', 'a\nc\nx\nd');
    expect(d.map((l) => `${l.op}${l.text}`)).toEqual([' a', '-b', ' c', '+x', ' d']);
    expect(d[1]).toEqual({ op: '-', text: 'b', oldLine: 2 });
    expect(d[3]).toEqual({ op: '+', text: 'x', newLine: 3 });
    expect(d[4]).toEqual({ op: ' ', text: 'd', oldLine: 4, newLine: 4 });
  });

  it('identical texts have no changes and an empty unified diff', () => {
    const d = lineDiff('x\ny', 'x\ny');
    expect(d.every((l) => l.op === ' ')).toBe(true);
    expect(unifiedDiff(d, 'v1', 'v2')).toBe('');
  });

  it('writes unified hunks with context', () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const changed = old.replace('line 10', 'line ten');
    expect(unifiedDiff(lineDiff(old, changed), 'v1', 'v2')).toBe(
      ['--- v1', '+++ v2', '@@ -7,7 +7,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+line ten', ' line 11', ' line 12', ' line 13', ''].join('\n'),
    );
  });

  it('refuses texts too long to diff quickly', () => {
    expect(() => lineDiff('a\n'.repeat(3000), 'b')).toThrow(RangeError);
  });
});
