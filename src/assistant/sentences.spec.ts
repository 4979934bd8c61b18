import { splitSentences } from './sentences';
import { verifyCitations } from './citation-verifier';
import { detectLanguage } from './language';
import { extractAnswer, questionKind } from './extractive-answerer';

describe('assistant text helpers', () => {
  it('splits Chinese and English sentences, keeping decimals, versions and quotes whole', () => {
    expect(splitSentences('漠河机场投资2.38亿元。它于2008年建成！真的吗？')).toEqual(['漠河机场投资2.38亿元。', '它于2008年建成！', '真的吗？']);
    expect(splitSentences('TraceMonkey v1.2 is fast. It traces loops!\nWrapped line\ncontinues.\n\nNew para')).toEqual([
      'TraceMonkey v1.2 is fast.',
      'It traces loops!',
      'Wrapped line continues.',
      'New para',
    ]);
    expect(splitSentences('It premieres on Thursday, Nov. 12, 2020. Nadal is No. 1 at the U.S. Open. Next.')).toEqual([
      'It premieres on Thursday, Nov. 12, 2020.',
      'Nadal is No. 1 at the U.S. Open.',
      'Next.',
    ]);
    expect(splitSentences('他说：“好。”然后走了。')).toEqual(['他说：“好。”', '然后走了。']);
  });

  it('keeps only citations that name a supplied chunk', () => {
    const v = verifyCitations('Loops are traced [1]. Types are guarded [2, 9]. Nonsense [7].', [1, 2, 3]);
    expect(v).toEqual({ text: 'Loops are traced [1]. Types are guarded [2]. Nonsense.', cited: [1, 2], removed: [9, 7] });
    expect(verifyCitations('答案【3】', [3]).cited).toEqual([3]);
  });

  it('detects the question language', () => {
    expect(detectLanguage('漠河机场的投资金额是多少？')).toBe('zh');
    expect(detectLanguage('What is TraceMonkey?')).toBe('en');
    expect(detectLanguage('GB/T 1234-2020 的适用范围是什么')).toBe('zh');
  });

  it('prefers the sentence holding a candidate answer for factoid questions', () => {
    expect(questionKind('漠河机场的投资金额是多少？')).toBe('quantity');
    const chunks = [
      { index: 1, rank: 1, text: '漠河机场是中国首个建在永久冻土带上的机场。漠河机场的投资金额引起关注。漠河机场总投资2.38亿元人民币。' },
      { index: 2, rank: 2, text: '哈尔滨是黑龙江省的省会。' },
    ];
    const a = extractAnswer('漠河机场的投资金额是多少？', chunks, 'zh');
    expect(a.answer).toContain('2.38亿元');
    expect(a.cited).toEqual([1]);
    expect(a.answer).toMatch(/\[1\]/);
  });

  it('answers "when" with a day rather than a year alone', () => {
    const chunks = [
      { index: 1, rank: 1, text: 'Splatoon 2 was released in 2017 for the Nintendo Switch.', document: 'a' },
      { index: 2, rank: 2, text: 'Splatoon 2 was released on July 21, 2017.', document: 'b' },
    ];
    expect(questionKind('What is the release date of Splatoon 2?')).toBe('time');
    expect(extractAnswer('When was Splatoon 2 released?', chunks, 'en').sentences[0].chunkIndex).toBe(2);
  });
});
