import ExcelJS from 'exceljs';
import { DatasetFileError } from './datasets.errors';
import { readDatasetFile } from './import-reader';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('readDatasetFile', () => {
  it('reads alpaca JSONL and lists each bad line with its number and reason', async () => {
    const lines = [
      JSON.stringify({ instruction: '漠河机场的投资金额是多少？', input: '', output: '2.38亿元人民币' }),
      '{"instruction": "broken", "output": ',
      JSON.stringify({ instruction: 'Who wrote Hamlet?', output: '' }),
      '',
      JSON.stringify({ input: 'x', output: 'y' }),
      JSON.stringify({ instruction: 'big', output: 'x'.repeat(70_000) }),
      JSON.stringify({ instruction: 'What is RAG?', output: 'Retrieval-augmented generation.' }),
    ];
    const read = await readDatasetFile(utf8(lines.join('\n')), 'mixed.jsonl');
    expect(read).toMatchObject({ format: 'alpaca', layout: 'jsonl', encoding: 'utf-8' });
    expect(read.good.map((g) => g.row)).toEqual([1, 7]);
    expect(read.rejects.map((r) => [r.row, r.reason.replace(/:.*/, '')])).toEqual([
      [2, 'broken JSON line'],
      [3, 'empty output (the answer)'],
      [5, 'missing instruction (the question)'],
      [6, 'record is 70043 bytes, over the 65536-byte limit'],
    ]);
  });

  it('detects sharegpt in a JSON list, including the messages variant', async () => {
    const data = [
      { conversations: [{ from: 'human', value: '你好' }, { from: 'gpt', value: '你好！有什么可以帮你？' }] },
      { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }] },
      { conversations: [{ from: 'human', value: 'no answer' }] },
    ];
    const read = await readDatasetFile(utf8(JSON.stringify(data)), 'chat.json');
    expect(read).toMatchObject({ format: 'sharegpt', layout: 'json' });
    expect(read.good.map((g) => g.record.output)).toEqual(['你好！有什么可以帮你？', 'Hello!']);
    expect(read.rejects).toEqual([{ row: 3, reason: 'missing output (the conversation ends with the user)' }]);
  });

  it('refuses a damaged JSON list as a whole, naming the problem', async () => {
    await expect(readDatasetFile(utf8('[{"instruction": "a", "output": "b"},'), 'cut.json')).rejects.toThrow(DatasetFileError);
    await expect(readDatasetFile(utf8('[{"instruction": "a", "output": "b"},'), 'cut.json')).rejects.toThrow(/not valid JSON/);
  });

  it('reads a GBK CSV with Chinese headers, saying it was not UTF-8', async () => {
    const csv = '问题,答案,标签\n年假有几天？,10 天,人事\n报销要多久？,"一般 5 个工作日，\n特殊情况另行通知",财务\n没有答案的问题,,\n';
    // Node has no GBK encoder; the bytes come from the GB2312 table (see encodeGbk).
    const bytes = encodeGbk(csv);
    expect(bytes.length).toBeLessThan(utf8(csv).length);
    const read = await readDatasetFile(bytes, 'faq.csv');
    expect(read).toMatchObject({ format: 'csv', encoding: 'gb18030' });
    expect(read.warnings[0]).toMatch(/not UTF-8; read as GBK/);
    expect(read.good.map((g) => g.record)).toEqual([
      { instruction: '年假有几天？', output: '10 天', tags: ['人事'] },
      { instruction: '报销要多久？', output: '一般 5 个工作日，\n特殊情况另行通知', tags: ['财务'] },
    ]);
    expect(read.rejects).toEqual([{ row: 4, reason: 'empty output (the answer)' }]);
  });

  it('rejects the JSONL lines whose bytes are neither UTF-8 nor GBK and keeps the others', async () => {
    const good = utf8(`${JSON.stringify({ instruction: 'q', output: 'a' })}\n`);
    const bad = new Uint8Array([...utf8('{"instruction": "x", "output": "'), 0xff, 0xff, 0xff, ...utf8('"}\n')]);
    const read = await readDatasetFile(new Uint8Array([...good, ...bad]), 'bytes.jsonl');
    expect(read.good).toHaveLength(1);
    expect(read.rejects).toEqual([{ row: 2, reason: 'line is not valid UTF-8 or GBK text' }]);
  });

  it('reads an XLSX workbook through the ingestion reader, row numbers from the sheet', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('问答');
    sheet.addRows([
      ['Instruction', 'Input', 'Output'],
      ['Translate to English', '知识库', 'knowledge base'],
      ['Summarize', 'A long text.', ''],
    ]);
    book.addWorksheet('notes').addRow(['just a note']);
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    const read = await readDatasetFile(bytes, 'qa.xlsx');
    expect(read).toMatchObject({ format: 'xlsx', layout: 'xlsx' });
    expect(read.good).toEqual([{ row: 2, record: { instruction: 'Translate to English', input: '知识库', output: 'knowledge base', tags: [] } }]);
    expect(read.rejects).toEqual([{ row: 3, sheet: '问答', reason: 'empty output (the answer)' }]);
    expect(read.warnings.join(' ')).toMatch(/sheet "notes" skipped/);
  });

  it('names the headers it found when a table has no question/answer columns', async () => {
    await expect(readDatasetFile(utf8('标题,内容\n甲,乙\n'), 'x.csv')).rejects.toThrow(/no sheet has a question and an answer column.*headers found: 标题, 内容/);
  });
});

/** GBK bytes for the few characters these tests use, from the GB2312 table (ASCII passes through). */
function encodeGbk(text: string): Uint8Array {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  for (let hi = 0xb0; hi <= 0xf7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) table.set(decoder.decode(new Uint8Array([hi, lo])), [hi, lo]);
  }
  for (let lo = 0xa1; lo <= 0xfe; lo++) table.set(decoder.decode(new Uint8Array([0xa3, lo])), [0xa3, lo]);
  const out: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else if (table.has(ch)) out.push(...table.get(ch)!);
    else throw new Error(`no GBK code for ${ch}`);
  }
  return new Uint8Array(out);
}
