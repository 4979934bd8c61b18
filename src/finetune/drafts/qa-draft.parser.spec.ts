import { MIN_GROUNDING, parseDraftedPairs, screenPairs } from './qa-draft.parser';

describe('parseDraftedPairs', () => {
  it('reads one JSON object a line, skipping chatter and broken lines', () => {
    const output = [
      'Here are the pairs:',
      '{"question": "How many days of annual leave do employees get?", "answer": "Ten days a year."}',
      '{"question": "broken", "answer": ',
      '```json',
      '{"问题": "年假可以顺延吗？", "答案": "可以顺延至次年第一季度。"}',
      '```',
      '{"note": "no pair here"}',
    ].join('\n');
    expect(parseDraftedPairs(output)).toEqual([
      { question: 'How many days of annual leave do employees get?', answer: 'Ten days a year.' },
      { question: '年假可以顺延吗？', answer: '可以顺延至次年第一季度。' },
    ]);
  });

  it('falls back to Q:/A: and 问：/答： lines when there is no JSON', () => {
    const output = '1. Q: What is the warranty period?\n   A: Two years from delivery.\n问：保修期多久？\n答：两年。\nA: an answer without a question';
    expect(parseDraftedPairs(output)).toEqual([
      { question: 'What is the warranty period?', answer: 'Two years from delivery.' },
      { question: '保修期多久？', answer: '两年。' },
    ]);
  });

  it('drops pairs with an empty side', () => {
    expect(parseDraftedPairs('{"question": " ", "answer": "x"}\n{"question": "q?", "answer": ""}')).toEqual([]);
  });
});

describe('screenPairs', () => {
  const passage = 'Employees receive 10 days of paid annual leave per year. Unused leave may be carried over to the first quarter of the next year.';

  it('keeps grounded answers and drops made-up ones, with the reason', () => {
    const { kept, dropped } = screenPairs(
      [
        { question: 'How much paid annual leave do employees receive?', answer: 'Employees receive 10 days of paid annual leave per year.' },
        { question: 'Who approves leave?', answer: 'The regional director approves every request within five working days.' },
      ],
      passage,
    );
    expect(kept).toHaveLength(1);
    expect(kept[0].grounding).toBeGreaterThanOrEqual(MIN_GROUNDING);
    expect(dropped).toEqual([expect.objectContaining({ question: 'Who approves leave?', reason: expect.stringMatching(/not grounded in the passage \(\d+% of its terms found, 60% needed\)/) })]);
  });

  it('grounds Chinese answers through the same analyser', () => {
    const zh = '员工每年享有 10 天带薪年假，未休年假可顺延至次年第一季度。';
    const { kept, dropped } = screenPairs(
      [
        { question: '员工每年有几天带薪年假？', answer: '员工每年享有10天带薪年假。' },
        { question: '谁负责审批？', answer: '由区域总监在五个工作日内审批。' },
      ],
      zh,
    );
    expect(kept.map((p) => p.question)).toEqual(['员工每年有几天带薪年假？']);
    expect(dropped).toHaveLength(1);
  });

  it('drops a question already drafted, also across calls sharing the seen set', () => {
    const seen = new Set<string>();
    const pair = { question: 'How much paid annual leave do employees receive?', answer: '10 days of paid annual leave per year.' };
    expect(screenPairs([pair, { ...pair, question: 'How much paid annual leave do employees receive ?' }], passage, seen).dropped[0].reason).toBe('same question drafted twice');
    expect(screenPairs([pair], passage, seen).kept).toHaveLength(0);
  });
});
