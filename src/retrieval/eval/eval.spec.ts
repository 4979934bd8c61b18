import { QaFormatError } from '../retrieval.errors';
import { ndcgAt, recallAt, reciprocalRankAt, summarize } from './metrics';
import { isFound, parseQaJsonl } from './qa-set';

describe('metrics', () => {
  const judged = [
    [false, true, false],
    [false, false, false, false, false, false, true],
    [true, false, true],
  ];

  it('computes recall@k, MRR@10 and nDCG@10', () => {
    expect(recallAt(judged[0], 1)).toBe(0);
    expect(recallAt(judged[0], 2)).toBe(1);
    expect(reciprocalRankAt(judged[1])).toBeCloseTo(1 / 7, 12);
    expect(ndcgAt(judged[0])).toBeCloseTo(1 / Math.log2(3), 12);
    expect(ndcgAt(judged[2])).toBeCloseTo((1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3)), 12);
    expect(ndcgAt([false, false])).toBe(0);
    const s = summarize(judged, [1, 5, 10]);
    expect(s).toMatchObject({ questions: 3 });
    expect(s['recall@1']).toBeCloseTo(1 / 3, 12);
    expect(s['recall@5']).toBeCloseTo(2 / 3, 12);
    expect(s['recall@10']).toBeCloseTo(1, 12);
    expect(s['mrr@10']).toBeCloseTo((1 / 2 + 1 / 7 + 1) / 3, 12);
  });
});

describe('QA files', () => {
  it('parses questions (ids default to the line number), flattens nested answers and normalises doc to a list', () => {
    const items = parseQaJsonl(
      '{"id":"a","question":"RCEP包括哪些国家","answers":["东盟",["日本","Japan"]],"doc":"x.txt"}\n\n{"question":"q2","answers":["y"]}\n',
    );
    expect(items).toEqual([
      { id: 'a', question: 'RCEP包括哪些国家', answers: ['东盟', '日本', 'Japan'], docs: ['x.txt'] },
      { id: 'q3', question: 'q2', answers: ['y'], docs: [] },
    ]);
  });

  it('names the line of a bad record', () => {
    expect(() => parseQaJsonl('{"question":"ok","answers":["a"]}\n{oops')).toThrow(/line 2: not JSON/);
    expect(() => parseQaJsonl('{"question":"  ","answers":["a"]}')).toThrow(QaFormatError);
    expect(() => parseQaJsonl('{"question":"q","answers":[1]}')).toThrow(/answers/);
    expect(() => parseQaJsonl('{"question":"q"}')).toThrow(/needs "answers" or "doc"/);
  });

  it('judges a chunk found by gold document or by answer text', () => {
    const [q] = parseQaJsonl('{"question":"q","answers":["Tampa,  Florida"],"doc":["gold.txt"]}');
    expect(isFound(q, { documentName: 'gold.txt', text: 'nothing' })).toBe(true);
    expect(isFound(q, { documentName: 'other.txt', text: 'held in Tampa, Florida.' })).toBe(true);
    expect(isFound(q, { documentName: 'other.txt', text: 'held in Tampa, Florida.' }, 'doc')).toBe(false);
    expect(isFound(q, { documentName: 'other.txt', text: 'held in Glendale' })).toBe(false);
  });
});
