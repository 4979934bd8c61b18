import { checkRecord, type DatasetRecord } from '../dataset-record';
import { fromAlpaca, toAlpaca } from './alpaca.format';
import { exportRecords, llamaFactoryInfo } from './export.format';
import { fromShareGpt, toShareGpt } from './sharegpt.format';
import { fromTableRow, mapColumns, missingColumns } from './table.format';

const ok = (c: Partial<DatasetRecord> | string) => {
  if (typeof c === 'string') throw new Error(c);
  const r = checkRecord(c);
  if (typeof r === 'string') throw new Error(r);
  return r;
};

describe('alpaca rows', () => {
  it('reads instruction, input, output, system and history, and writes them back', () => {
    const row = { instruction: '漠河机场的投资金额是多少？', input: '', output: '2.38亿元人民币', system: '你是机场问答助手', history: [['你好', '你好！']] };
    const record = ok(fromAlpaca(row));
    expect(record).toEqual({ instruction: '漠河机场的投资金额是多少？', output: '2.38亿元人民币', system: '你是机场问答助手', history: [['你好', '你好！']], tags: [] });
    expect(toAlpaca(record)).toEqual({ ...row, input: '' });
  });

  it('names a row without alpaca fields', () => {
    expect(fromAlpaca({ question: 'q', answer: 'a' })).toMatch(/not an alpaca row/);
  });
});

describe('sharegpt rows', () => {
  it('takes the last exchange as instruction/output and the earlier ones as history', () => {
    const row = {
      conversations: [
        { from: 'system', value: 'Be brief.' },
        { from: 'human', value: 'Who wrote Hamlet?' },
        { from: 'gpt', value: 'Shakespeare.' },
        { from: 'human', value: 'When?' },
        { from: 'gpt', value: 'Around 1600.' },
      ],
    };
    const record = ok(fromShareGpt(row));
    expect(record).toEqual({ system: 'Be brief.', instruction: 'When?', output: 'Around 1600.', history: [['Who wrote Hamlet?', 'Shakespeare.']], tags: [] });
    expect(toShareGpt(record)).toEqual({ system: 'Be brief.', conversations: row.conversations.slice(1) });
  });

  it('reads the OpenAI-style messages variant', () => {
    const record = ok(fromShareGpt({ messages: [{ role: 'user', content: '年假有几天？' }, { role: 'assistant', content: '10 天。' }] }));
    expect(record).toEqual({ instruction: '年假有几天？', output: '10 天。', tags: [] });
  });

  it('refuses conversations that end with the user, skip a turn or use unknown roles', () => {
    expect(fromShareGpt({ conversations: [{ from: 'human', value: 'hi' }] })).toMatch(/missing output/);
    expect(fromShareGpt({ conversations: [{ from: 'gpt', value: 'a' }, { from: 'human', value: 'q' }] })).toMatch(/turn 1 should be user/);
    expect(fromShareGpt({ conversations: [{ from: 'bot', value: 'a' }] })).toMatch(/unknown role "bot"/);
    expect(fromShareGpt({ instruction: 'x' })).toMatch(/not a sharegpt row/);
  });

  it('folds an alpaca input under the instruction when exported', () => {
    expect(toShareGpt({ instruction: 'Translate', input: '你好', output: 'Hello', tags: [] })).toEqual({
      conversations: [
        { from: 'human', value: 'Translate\n你好' },
        { from: 'gpt', value: 'Hello' },
      ],
    });
  });
});

describe('table rows', () => {
  it('recognises Chinese and English headers', () => {
    expect(mapColumns(['问题', '答案', '标签'])).toEqual({ instruction: 0, output: 1, tags: 2 });
    expect(mapColumns(['指令', '输入', '输出', '系统提示'])).toEqual({ instruction: 0, input: 1, output: 2, system: 3 });
    expect(mapColumns(['Question', 'Answer'])).toEqual({ instruction: 0, output: 1 });
    expect(missingColumns(mapColumns(['标题', '内容']))).toHaveLength(2);
  });

  it('splits tags on either comma width and reads history as JSON', () => {
    const map = mapColumns(['question', 'answer', 'tags', 'history']);
    expect(ok(fromTableRow(['Q', 'A', '人事，假期, hr', '[["hi","hello"]]'], map))).toEqual({ instruction: 'Q', output: 'A', tags: ['人事', '假期', 'hr'], history: [['hi', 'hello']] });
    expect(fromTableRow(['Q', 'A', '', '[not json'], map)).toMatch(/history cell is not JSON/);
  });
});

describe('export', () => {
  const records: DatasetRecord[] = [{ instruction: '问', output: '答', tags: [] }];
  it('writes a JSON list or JSON lines', () => {
    expect(JSON.parse(exportRecords(records, 'alpaca', false))).toEqual([{ instruction: '问', input: '', output: '答' }]);
    expect(exportRecords(records, 'sharegpt', true)).toBe('{"conversations":[{"from":"human","value":"问"},{"from":"gpt","value":"答"}]}\n');
  });

  it("describes the file the way LLaMA-Factory's dataset_info.json expects", () => {
    expect(llamaFactoryInfo('hr', 'hr.json', 'sharegpt')).toEqual({
      hr: { file_name: 'hr.json', formatting: 'sharegpt', columns: { messages: 'conversations', system: 'system' }, tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt' } },
    });
    expect(llamaFactoryInfo('hr', 'hr.json', 'alpaca').hr).toMatchObject({ formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output' } });
  });
});
