import { hybridFusion } from '../rank/hybrid-fusion';
import { expectedAnswerType, holdsAnswerOfType } from './answer-type';

describe('answer types of questions and passages', () => {
  it('reads the asked-for kind from English and Chinese questions', () => {
    expect(expectedAnswerType('When did the bridge open?')).toBe('date');
    expect(expectedAnswerType('What year was the treaty signed')).toBe('date');
    expect(expectedAnswerType('release date of the new console')).toBe('date');
    expect(expectedAnswerType('大桥什么时候通车')).toBe('date');
    expect(expectedAnswerType('新规的实施时间')).toBe('date');
    expect(expectedAnswerType('How much did the museum cost?')).toBe('amount');
    expect(expectedAnswerType('公司去年营收多少')).toBe('amount');
    expect(expectedAnswerType('Who designed the bridge?')).toBe('name');
    expect(expectedAnswerType('Where is the bridge?')).toBeNull();
    expect(expectedAnswerType('谁设计了这座桥')).toBeNull(); // Chinese names have no pattern
    expect(expectedAnswerType('bridge maintenance schedule')).toBeNull();
  });

  it('finds dates but not a leading dateline', () => {
    expect(holdsAnswerOfType('date', 'The bridge opened to traffic on 3 March 1932.')).toBe(true);
    expect(holdsAnswerOfType('date', 'Traffic started in June 1932 after delays.')).toBe(true);
    expect(holdsAnswerOfType('date', 'Opened on Sept. 14th, 1932 by the mayor.')).toBe(true);
    expect(holdsAnswerOfType('date', '大桥于1932年3月19日正式通车。')).toBe(true);
    expect(holdsAnswerOfType('date', 'Mar 2, 2023 ... The bridge is one of the city landmarks.')).toBe(false);
    expect(holdsAnswerOfType('date', 'The bridge carries 160,000 vehicles a day.')).toBe(false);
  });

  it('finds amounts with a currency or unit', () => {
    expect(holdsAnswerOfType('amount', 'It cost $4.2 million to build.')).toBe(true);
    expect(holdsAnswerOfType('amount', 'Revenue rose 12% on the year.')).toBe(true);
    expect(holdsAnswerOfType('amount', '全年营收为631亿美元，同比下降16%。')).toBe(true);
    expect(holdsAnswerOfType('amount', '在美国工作了30多年')).toBe(true);
    expect(holdsAnswerOfType('amount', 'The museum reopened after the renovation.')).toBe(false);
  });

  it('finds a name the question does not already contain', () => {
    const q = 'Who designed the Harbour Bridge?';
    expect(holdsAnswerOfType('name', 'The arch was designed by John Bradfield and built by Dorman Long.', q)).toBe(true);
    expect(holdsAnswerOfType('name', 'The Harbour Bridge is a steel arch. In March the paint was renewed.', q)).toBe(false);
  });

  it('hybrid fusion ranks candidates holding the asked-for kind up, and changes nothing for other questions', () => {
    const text: Record<string, string> = {
      a: 'The bridge is a city landmark and a popular walk.',
      b: 'The bridge opened to traffic on 19 March 1932.',
      c: 'Bridge tolls are collected electronically.',
    };
    const v = ['a', 'c', 'b'];
    const l = ['a', 'c', 'b'];
    expect(hybridFusion('When did the bridge open?', v, l, (k) => text[k]).map((f) => f.key)).toEqual(['b', 'a', 'c']);
    expect(hybridFusion('When did the bridge open?', v, l, (k) => text[k], { answerTypeWeight: 0 }).map((f) => f.key)).toEqual(['a', 'c', 'b']);
    expect(hybridFusion('bridge tolls', v, l, (k) => text[k]).map((f) => f.key)).toEqual(['a', 'c', 'b']);
  });
});
