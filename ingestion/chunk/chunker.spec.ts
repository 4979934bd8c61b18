import type { Block, ParsedDocument } from '../core/parsed-document';
import { parse } from '../parse';
import { readDoc } from '../testing/shared-data';
import { chunkDocument } from './chunker';
import { splitSentences } from './sentence-splitter';
import { estimateTokens } from './token-estimate';

const doc = (blocks: Block[]): ParsedDocument => ({ filename: 'x', blocks, metadata: { format: 'txt', pages: 1, warnings: [] } });
const block = (kind: Block['kind'], text: string, headingPath: string[] = [], extra: Partial<Block> = {}): Block => ({ kind, text, provenance: { headingPath }, ...extra });

describe('sentence splitting and token estimates', () => {
  it('splits at Chinese and English sentence boundaries, keeping the stops', () => {
    expect(splitSentences('今天下雨。明天呢？我不知道！总之；先这样…… Then we left. Version 3.14 is out! Done')).toEqual([
      '今天下雨。',
      '明天呢？',
      '我不知道！',
      '总之；',
      '先这样……',
      'Then we left.',
      'Version 3.14 is out!',
      'Done',
    ]);
    expect(splitSentences('他说：“好的。”然后走了。')).toEqual(['他说：“好的。”', '然后走了。']);
  });

  it('counts a CJK character as one token and an English word as 1.3', () => {
    expect(estimateTokens('知识库')).toBe(3);
    expect(estimateTokens('hello world')).toBe(3);
    expect(estimateTokens('知识库 hello, world')).toBe(3 + 3 + 1);
  });
});

describe('chunkDocument', () => {
  it('packs sentences within the budget, with overlap, and splits long Chinese paragraphs at sentence ends', () => {
    const sentence = (i: number) => `这是第${i}句话，用来测试分块的行为是否正确。`;
    const text = Array.from({ length: 40 }, (_, i) => sentence(i)).join('');
    const chunks = chunkDocument(doc([block('heading', '总则', [], { level: 1 }), block('paragraph', text, ['总则'])]), { maxTokens: 100, overlapTokens: 30 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(100);
      expect(c.text).toMatch(/。$/);
      expect(c.text).not.toMatch(/ /);
      expect(c.context).toBe('总则');
      expect(c.provenance.blockIndices).toEqual([1]);
    }
    // The last sentence of a chunk opens the next one.
    const lastOfFirst = splitSentences(chunks[0].text).at(-1)!;
    expect(chunks[1].text.startsWith(lastOfFirst)).toBe(true);
    // Nothing is lost: every sentence appears in some chunk.
    for (let i = 0; i < 40; i++) expect(chunks.some((c) => c.text.includes(sentence(i)))).toBe(true);
  });

  it('never splits a table row, and repeats the table header for every group of rows', () => {
    const rows = [['城市', '人口', '面积'], ...Array.from({ length: 30 }, (_, i) => [`城市${i}`, `${1000 + i}万`, `${i}平方公里`])];
    const table = block('table', rows.map((r) => r.join(' | ')).join('\n'), ['统计'], { rows, provenance: { headingPath: ['统计'], page: 3, bbox: { x: 1, y: 2, width: 3, height: 4 } } });
    const chunks = chunkDocument(doc([block('heading', '统计', [], { level: 1 }), table]), { maxTokens: 60, overlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      const lines = c.text.split('\n');
      expect(lines[0]).toBe('城市 | 人口 | 面积');
      for (const line of lines.slice(1)) expect(line).toMatch(/^城市\d+ \| \d+万 \| \d+平方公里$/);
      expect(c.provenance).toMatchObject({ pages: [3], blockIndices: [1], headingPath: ['统计'] });
    }
    const allRows = chunks.flatMap((c) => c.text.split('\n').slice(1));
    expect(allRows).toHaveLength(30);
  });

  it('keeps sections apart and carries sheet and cell ranges for spreadsheet rows', () => {
    const row = (r: number, sheet: string) => block('table_row', `名称: 项目${r}; 金额: ${r * 10}`, [sheet], { provenance: { sheet, cellRange: `A${r}:B${r}`, headingPath: [sheet] } });
    const chunks = chunkDocument(
      doc([block('heading', '一月', [], { level: 1 }), row(2, '一月'), row(3, '一月'), block('heading', '二月', [], { level: 1 }), row(2, '二月')]),
    );
    expect(chunks.map((c) => [c.context, c.text])).toEqual([
      ['一月', '名称: 项目2; 金额: 20\n名称: 项目3; 金额: 30'],
      ['二月', '名称: 项目2; 金额: 20'],
    ]);
    expect(chunks[0].provenance).toMatchObject({ sheets: ['一月'], cellRanges: ['A2:B2', 'A3:B3'], blockIndices: [1, 2] });
  });

  it('runs OCR lines on into one text: Chinese without spaces, English with, broken words rejoined', () => {
    const line = (text: string) => block('ocr_line', text, [], { provenance: { headingPath: [], page: 1, bbox: { x: 0, y: 0, width: 1, height: 1 }, source: 'ocr' } });
    const [chunk] = chunkDocument(doc([line('扫描件的第一行文字，'), line('接着第二行。'), line('The quick brown fox jum-'), line('ped over it.')]));
    expect(chunk.text).toBe('扫描件的第一行文字，接着第二行。The quick brown fox jumped over it.');
    expect(chunk.provenance).toMatchObject({ pages: [1], blockIndices: [0, 1, 2, 3] });
  });

  it('is deterministic on a real document and every chunk resolves to real blocks and pages', async () => {
    const parsed = await parse(readDoc('pdf/pdfjs__tracemonkey.pdf'), 'tracemonkey.pdf', { enableOcr: false });
    const first = chunkDocument(parsed);
    const second = chunkDocument(await parse(readDoc('pdf/pdfjs__tracemonkey.pdf'), 'tracemonkey.pdf', { enableOcr: false }));
    expect(second).toEqual(first);
    expect(first.length).toBeGreaterThan(20);
    for (const c of first) {
      expect(c.tokens).toBeLessThanOrEqual(512 * 1.5);
      expect(c.provenance.pages.length).toBeGreaterThan(0);
      for (const i of c.provenance.blockIndices) expect(parsed.blocks[i]).toBeDefined();
    }
    const intro = first.find((c) => c.text.includes('Dynamic languages such as JavaScript, Python, and Ruby'));
    expect(intro?.context).toContain('1. Introduction');
  });
});
