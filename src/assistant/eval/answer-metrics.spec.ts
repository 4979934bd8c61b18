import { charF1, containsAll, containsAny, exactMatch, normaliseAnswer, summarise } from './answer-metrics';

describe('answer metrics', () => {
  it('normalises white space, punctuation, width and citation markers away', () => {
    expect(normaliseAnswer('Tampa, Florida [1].')).toBe('tampaflorida');
    expect(normaliseAnswer('２.３８亿元 人民币。')).toBe('238亿元人民币');
  });

  it('contains, contains_all with alternatives, exact match, character F1', () => {
    const answer = '漠河机场总投资2.38亿元人民币[1]。';
    expect(containsAny(answer, ['2.38亿元人民币'])).toBe(true);
    expect(containsAny(answer, ['3亿'])).toBe(false);
    expect(containsAll('Biden and Harris won', [['Joe Biden', 'Biden'], 'Harris'])).toBe(true);
    expect(containsAll('Biden won', [['Joe Biden', 'Biden'], 'Harris'])).toBe(false);
    expect(exactMatch('漠河机场。', ['漠河机场'])).toBe(true);
    expect(exactMatch(answer, ['漠河机场'])).toBe(false);
    expect(charF1('漠河机场', ['漠河机场'])).toBe(1);
    expect(charF1('漠河', ['漠河机场'])).toBeCloseTo(2 / 3);
    expect(charF1('abc', ['xyz'])).toBe(0);
  });

  it('summarises shares, citations_in_gold over questions that name gold documents', () => {
    const r = summarise(
      [
        { answer: 'A is 1 [1]', mode: 'extractive', gold: ['1'], goldDocs: ['a.txt'], citedDocuments: ['a.txt', 'b.txt'], refused: false },
        { answer: 'nothing', mode: 'no-evidence', gold: ['2'], goldDocs: ['a.txt'], citedDocuments: [], refused: true },
      ],
      'extractive',
    );
    expect(r).toEqual({ questions: 2, mode: 'extractive', contains: 0.5, contains_all: 0.5, exact_match: 0, f1: expect.any(Number), cited: 0.5, citations_in_gold: 0.5, refusals: 0.5 });
  });
});
