import { extractAnswer, questionKind } from './extractive-answerer';

describe('extractAnswer', () => {
  it('prefers the sentence that holds a candidate answer of the asked kind', () => {
    const chunks = [
      { index: 1, rank: 1, text: 'Alabama quarterback Tua Tagovailoa won the Maxwell Award in 2018.' },
      { index: 2, rank: 2, text: 'The award is named after Robert Maxwell.' },
    ];
    expect(extractAnswer('Who won the Maxwell Award?', chunks, 'en').sentences[0].text).toContain('Tagovailoa');
    const zh = [
      { index: 1, rank: 1, text: '2018年的冠军是甲队。' },
      { index: 2, rank: 2, text: '2019年的冠军是乙队，他们在决赛中获胜。' },
    ];
    expect(extractAnswer('2019年的冠军是哪支球队？', zh, 'zh').sentences[0].text).toContain('乙队');
  });

  it('classifies factoid questions', () => {
    expect(questionKind('When was Diablo 3 released?')).toBe('time');
    expect(questionKind('谁是2017年的冠军？')).toBe('person');
    expect(questionKind('How many people live in Beijing?')).toBe('quantity');
  });
});
