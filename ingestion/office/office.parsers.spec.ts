import { parse } from '../parse';
import { writeDocx } from '../testing/zip-writer';

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('docx, html, markdown and plain text', () => {
  it('reads a docx: heading styles become headings with paths, lists and tables survive', async () => {
    const p = (style: string | undefined, text: string) =>
      `<w:p>${style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : ''}<w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;
    const cell = (text: string) => `<w:tc><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:tc>`;
    const body =
      p('Heading1', '报销制度') +
      p(undefined, '员工出差产生的费用，凭发票报销。') +
      p('Heading2', 'Limits') +
      `<w:tbl><w:tr>${cell('城市')}${cell('标准')}</w:tr><w:tr>${cell('北京')}${cell('500元')}</w:tr></w:tbl>`;
    const doc = await parse(writeDocx(body), 'policy.docx');
    expect(doc.metadata.format).toBe('docx');
    expect(doc.blocks.map((b) => [b.kind, b.text])).toEqual([
      ['heading', '报销制度'],
      ['paragraph', '员工出差产生的费用，凭发票报销。'],
      ['heading', 'Limits'],
      ['table', '城市 | 标准\n北京 | 500元'],
    ]);
    expect(doc.blocks[3].rows).toEqual([['城市', '标准'], ['北京', '500元']]);
    expect(doc.blocks[3].provenance.headingPath).toEqual(['报销制度', 'Limits']);
  });

  it('reads html: scripts and styles dropped, entities decoded, lists and tables kept', async () => {
    const html = `<!DOCTYPE html><html><head><title>Guide</title><style>p{color:red}</style></head><body>
      <script>alert("x")</script><h1>安装指南</h1><p>先下载&amp;解压 <b>安装包</b>。</p>
      <ul><li>第一步</li><li>Second &lt;step&gt;</li></ul>
      <table><tr><th>Name</th><th>Value</th></tr><tr><td>port</td><td>8080</td></tr></table></body></html>`;
    const doc = await parse(utf8(html), 'page.bin');
    expect(doc.metadata).toMatchObject({ format: 'html', title: 'Guide' });
    expect(doc.blocks.map((b) => [b.kind, b.text])).toEqual([
      ['heading', '安装指南'],
      ['paragraph', '先下载&解压 安装包。'],
      ['list_item', '第一步'],
      ['list_item', 'Second <step>'],
      ['table', 'Name | Value\nport | 8080'],
    ]);
    expect(doc.blocks.every((b) => !b.text.includes('alert') && !b.text.includes('color'))).toBe(true);
  });

  it('reads markdown: headings, lists, tables, fenced code, inline markup stripped', async () => {
    const md = '# 用户手册\n\n这是**重要**的说明，\n请仔细阅读。\n\n## Setup\n\n- install [node](https://nodejs.org)\n- run `npm ci`\n\n| key | value |\n| --- | --- |\n| a | 1 |\n\n```ts\nconst x = 1;\n```\n';
    const doc = await parse(utf8(md), 'README.md');
    expect(doc.metadata.format).toBe('markdown');
    expect(doc.blocks.map((b) => [b.kind, b.text])).toEqual([
      ['heading', '用户手册'],
      ['paragraph', '这是重要的说明，请仔细阅读。'],
      ['heading', 'Setup'],
      ['list_item', 'install node'],
      ['list_item', 'run npm ci'],
      ['table', 'key | value\na | 1'],
      ['code', 'const x = 1;'],
    ]);
    expect(doc.blocks[4].provenance.headingPath).toEqual(['用户手册', 'Setup']);
  });

  it('reads plain text: paragraphs by blank lines, Chinese lines joined without spaces, chapter headings', async () => {
    const txt = '第一章 总则\n\n本制度适用于公司\n全体员工。\n\nThis policy applies\nto all staff.\n';
    const doc = await parse(utf8(txt), 'rules.txt');
    expect(doc.metadata.format).toBe('txt');
    expect(doc.blocks.map((b) => [b.kind, b.text])).toEqual([
      ['heading', '第一章 总则'],
      ['paragraph', '本制度适用于公司全体员工。'],
      ['paragraph', 'This policy applies to all staff.'],
    ]);
    expect(doc.blocks[2].provenance.headingPath).toEqual(['第一章 总则']);
  });

  it('normalises full-width Latin letters and digits but keeps Chinese punctuation', async () => {
    const doc = await parse(utf8('ＡＢＣ公司２０２４年，营收增长！'), 'a.txt');
    expect(doc.blocks[0].text).toBe('ABC公司2024年，营收增长！');
  });
});
