import { Bm25Index, bm25Idf, bm25TermScore } from './bm25';
import { reciprocalRankFusion } from './fusion';

describe('Bm25Index', () => {
  it('scores by the BM25 formula, computed by hand', () => {
    const index = new Bm25Index({ k1: 1.2, b: 0.75 });
    index.add(['a', 'b', 'a']);
    index.add(['b', 'c']);
    index.add(['c', 'd', 'e', 'f']);
    const avg = (3 + 2 + 4) / 3;
    const [top, second] = index.search(['a', 'b'], 3);
    const idfA = Math.log(1 + (3 - 1 + 0.5) / 1.5);
    const idfB = Math.log(1 + (3 - 2 + 0.5) / 2.5);
    const expected0 = (idfA * 2 * 2.2) / (2 + 1.2 * (0.25 + (0.75 * 3) / avg)) + (idfB * 1 * 2.2) / (1 + 1.2 * (0.25 + (0.75 * 3) / avg));
    expect(top.id).toBe(0);
    expect(top.score).toBeCloseTo(expected0, 10);
    expect(second.id).toBe(1);
    expect(second.score).toBeCloseTo(bm25TermScore(1, 2, avg, bm25Idf(3, 2)), 10);
  });

  it('returns nothing for unknown terms or an empty index, and honours the filter', () => {
    const index = new Bm25Index();
    expect(index.search(['x'], 5)).toEqual([]);
    index.add(['x']);
    index.add(['x', 'y']);
    expect(index.search(['zzz'], 5)).toEqual([]);
    expect(index.search(['x'], 5, (id) => id === 1).map((h) => h.id)).toEqual([1]);
  });
});

describe('reciprocalRankFusion', () => {
  it('sums weight / (k + rank) over the lists', () => {
    const fused = reciprocalRankFusion(
      [
        { items: ['a', 'b', 'c'], weight: 1 },
        { items: ['c', 'a'], weight: 2 },
      ],
      60,
    );
    const score = (key: string) => fused.find((f) => f.key === key)!.score;
    expect(score('a')).toBeCloseTo(1 / 61 + 2 / 62, 12);
    expect(score('c')).toBeCloseTo(1 / 63 + 2 / 61, 12);
    expect(score('b')).toBeCloseTo(1 / 62, 12);
    expect(fused.map((f) => f.key)).toEqual(['c', 'a', 'b']);
    expect(fused.find((f) => f.key === 'b')!.ranks).toEqual([2, null]);
  });

  it('with a zero weight ignores that list for ordering', () => {
    const fused = reciprocalRankFusion([{ items: ['x', 'y'] }, { items: ['y', 'x'], weight: 0 }]);
    expect(fused.map((f) => f.key)).toEqual(['x', 'y']);
  });

  it('rejects a negative k or weight', () => {
    expect(() => reciprocalRankFusion([{ items: [1] }], -1)).toThrow(RangeError);
    expect(() => reciprocalRankFusion([{ items: [1], weight: -1 }])).toThrow(RangeError);
  });
});
