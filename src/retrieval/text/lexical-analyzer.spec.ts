import { analyze, scanTokens } from './lexical-analyzer';
import { porterStem } from './porter-stemmer';

describe('porterStem', () => {
  it('matches the reference algorithm on its classic examples', () => {
    const cases: Record<string, string> = {
      caresses: 'caress', ponies: 'poni', cats: 'cat', feed: 'feed', agreed: 'agre', plastered: 'plaster',
      motoring: 'motor', sing: 'sing', conflated: 'conflat', troubled: 'troubl', sized: 'size', hopping: 'hop',
      falling: 'fall', filing: 'file', happy: 'happi', relational: 'relat', conditional: 'condit',
      rational: 'ration', digitizer: 'digit', operator: 'oper', triplicate: 'triplic', hopeful: 'hope',
      goodness: 'good', revival: 'reviv', allowance: 'allow', adjustment: 'adjust', adoption: 'adopt',
      probate: 'probat', rate: 'rate', controll: 'control', roll: 'roll', generalizations: 'gener', running: 'run',
    };
    for (const [word, stem] of Object.entries(cases)) expect([word, porterStem(word)]).toEqual([word, stem]);
  });

  it('leaves short words and non-letters alone', () => {
    expect(porterStem('is')).toBe('is');
    expect(porterStem('a380')).toBe('a380');
  });
});

describe('analyze', () => {
  it('segments Chinese in search mode and drops stop words', () => {
    const terms = analyze('中国第一个建于永久冻土带的机场是什么？');
    expect(terms).toEqual(expect.arrayContaining(['中国', '冻土', '冻土带', '机场', '第一个']));
    expect(terms).not.toContain('的');
    expect(terms).not.toContain('什么');
    expect(terms).not.toContain('？');
  });

  it('lower-cases, stems and drops English stop words', () => {
    expect(analyze('Who acquired the Running Dogs?')).toEqual(['acquir', 'run', 'dog']);
  });

  it('keeps codes, clause numbers and standard numbers whole as well as in parts', () => {
    expect(analyze('见 GB/T 1234-2020 第3.2.1条')).toEqual(expect.arrayContaining(['gb/t1234-2020', 'gb', '1234', '2020', '3.2.1', '3', '2', '1']));
    expect(analyze('型号 XJ-200B')).toEqual(expect.arrayContaining(['xj-200b', 'xj', '200b', '200', 'b']));
    expect(analyze('2.38亿元')).toEqual(expect.arrayContaining(['2.38', '亿元']));
  });

  it('applies NFKC so full-width Latin and Kangxi radicals match what users type', () => {
    expect(analyze('ＧＰＵ')).toEqual(analyze('GPU'));
    // U+2F64 KANGXI RADICAL USE is 用 after NFKC.
    expect(analyze('\u2F64户')).toEqual(analyze('用户'));
  });

  it('joins dotted initials so U.S. meets US', () => {
    expect(analyze('U.S. Open')).toEqual(analyze('US Open'));
  });

  it('splits mixed scripts into runs by kind', () => {
    expect(scanTokens('用COVID19检测3.2.1').map((t) => t.kind)).toEqual(['cjk', 'standard', 'cjk', 'code']);
  });

  it('gives a query the same terms it gives the same text in a passage', () => {
    const text = '漠河机场的投资金额是2.38亿元人民币';
    expect(analyze(text)).toEqual(analyze(text));
    expect(analyze('')).toEqual([]);
    expect(analyze('  ，。！ ')).toEqual([]);
  });
});
