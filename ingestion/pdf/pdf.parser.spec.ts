import { parse } from '../parse';
import { CorruptDocumentError, EncryptedDocumentError, LimitExceededError, ParseCancelledError } from '../core/ingestion.errors';
import { readDoc } from '../testing/shared-data';
import { writePdf } from '../testing/pdf-writer';

const noOcr = { enableOcr: false };
const textOf = (doc: { blocks: { text: string }[] }) => doc.blocks.map((b) => b.text).join('\n');

describe('PDF parsing (text layers)', () => {
  it('reads a two-column paper: title, numbered headings with paths, columns in reading order', async () => {
    const doc = await parse(readDoc('pdf/pdfjs__tracemonkey.pdf'), 'tracemonkey.pdf', noOcr);
    expect(doc.metadata).toMatchObject({ format: 'pdf', pages: 14 });
    expect(doc.metadata.title).toBe('Trace-based Just-in-Time Type Specialization for Dynamic Languages');
    expect(doc.blocks[0]).toMatchObject({ kind: 'title', provenance: { page: 1 } });
    const tagTable = doc.blocks.find((b) => b.kind === 'table' && b.rows?.[0][0] === 'Tag');
    expect(tagTable?.rows?.slice(0, 3)).toEqual([
      ['Tag', 'JS Type', 'Description'],
      ['xx1', 'number', '31-bit integer representation'],
      ['000', 'object', 'pointer to JSObject handle'],
    ]);
    const intro = doc.blocks.find((b) => b.kind === 'heading' && b.text === '1. Introduction');
    expect(intro?.provenance.headingPath).toEqual([doc.metadata.title]);
    const abstract = doc.blocks.findIndex((b) => b.text.startsWith('Dynamic languages such as JavaScript are more difficult'));
    const introduction = doc.blocks.findIndex((b) => b.text.startsWith('Dynamic languages such as JavaScript, Python, and Ruby'));
    // The abstract (left column) comes before the introduction body, which comes before the right column.
    const rightColumn = doc.blocks.findIndex((b) => b.text.startsWith('and is used for the application logic'));
    expect(abstract).toBeGreaterThan(0);
    expect(introduction).toBeGreaterThan(abstract);
    expect(rightColumn).toBeGreaterThan(introduction);
    // Lines are joined into paragraphs with spaces, and hyphenated line ends are rejoined.
    expect(doc.blocks[introduction].text).toContain('Dynamic languages such as JavaScript, Python, and Ruby, are popular since they are expressive');
    expect(textOf(doc)).not.toMatch(/compi- lation/);
    const para = doc.blocks[introduction];
    expect(para.provenance.bbox!.width).toBeGreaterThan(100);
    expect(para.provenance.headingPath).toEqual([doc.metadata.title, '1. Introduction']);
  });

  it('reads Chinese headings and paragraphs with heading paths and no spaces between characters', async () => {
    const doc = await parse(readDoc('pdf/pdfjs__issue12823.pdf'), 'kb.pdf', noOcr);
    const headings = doc.blocks.filter((b) => b.kind === 'heading').map((b) => b.text);
    expect(headings).toEqual(['愿景', '知识库简介', '重点关注']);
    const vision = doc.blocks.find((b) => b.text.startsWith('描述团队的共同目标'));
    expect(vision?.text).toBe('描述团队的共同目标，有利于团队成员理解目标并朝着目标努力。');
    expect(vision?.provenance.headingPath.at(-1)).toBe('愿景');
  });

  it('normalises Kangxi radicals (NFKC) so that 用 matches', async () => {
    const doc = await parse(readDoc('pdf/mineru__introduction.pdf'), 'intro.pdf', noOcr);
    const text = textOf(doc);
    expect(text).toContain('是用化学式来描述');
    expect(text).not.toMatch(/[\u2f00-\u2fdf]/u);
  });

  it('keeps GBK-encoded Chinese that pdf.js maps with the packed CMaps (no garbage, no OCR)', async () => {
    const doc = await parse(readDoc('pdf/pdfjs__XiaoBiaoSong.pdf'), 'toc.pdf', noOcr);
    expect(textOf(doc)).toContain('关于红军作战的原则');
    expect(doc.metadata.ocrPages).toEqual([]);
    const tiny = await parse(readDoc('pdf/pdfjs__issue2128r.pdf'), 'x.pdf', noOcr);
    expect(tiny.blocks.map((b) => b.text)).toEqual(['浅谈校长的魅力', '山西省闻喜县诚镇初中 李新录']);
  });

  it('reconstructs ruled tables into rows and cells', async () => {
    const doc = await parse(readDoc('pdf/tabula__spanning_cells.pdf'), 'epa.pdf', noOcr);
    const tables = doc.blocks.filter((b) => b.kind === 'table');
    expect(tables.length).toBeGreaterThanOrEqual(2);
    expect(tables[0].rows?.[0]).toEqual(['Volume servers in:', '2007', '2008', '2009', '2010', '2011']);
    expect(tables[0].rows).toContainEqual(['Server closets', '1,505', '1,580', '1,643', '1,673', '1,689']);
    const japanese = await parse(readDoc('pdf/tabula__twotables.pdf'), 'jp.pdf', noOcr);
    const rows = japanese.blocks.filter((b) => b.kind === 'table').flatMap((b) => b.rows ?? []);
    expect(rows).toContainEqual(['当期末残高', '5,664', '749', '12,846', '△747', '18,512']);
    expect(rows).toContainEqual(['剰余金の配当', '△525', '△525']);
  });

  it('keeps justified two-column prose in reading order (wide word gaps are not table columns)', async () => {
    const doc = await parse(readDoc('pdf/chatchat__langchain.pdf'), 'langchain.pdf', noOcr);
    const text = doc.blocks.filter((b) => b.provenance.page === 3).map((b) => b.text).join('\n');
    expect(text).toContain('A "prompt" is the input to a LLM. They are generally generated dynamically when used in an LLM application');
    expect(text).toContain('Utilizing machine learning techniques such as deep learning, these models are trained to predict subsequent words');
    expect(doc.blocks.filter((b) => b.kind === 'table' && b.provenance.page === 2)).toEqual([]);
    // The conference banner on every page is a running header.
    expect(doc.blocks.filter((b) => b.text.startsWith('5th International Conference')).length).toBeLessThanOrEqual(1);
  });

  it('reads a spreadsheet printed to PDF row by row, not column by column', async () => {
    const doc = await parse(readDoc('pdf/pdfplumber__ca-warn-report.pdf'), 'warn.pdf', noOcr);
    const rows = doc.blocks.filter((b) => b.kind === 'table' && b.provenance.page === 1).flatMap((b) => b.rows ?? []);
    expect(rows[0].slice(0, 4)).toEqual(['Notice Date', 'Effective', 'Received', 'Company']);
    expect(rows[1].slice(0, 4)).toEqual(['06/22/2015', '03/25/2016', '07/01/2015', 'Maxim Integrated Product']);
  });

  it('drops running headers and page numbers that repeat on every page', async () => {
    const pages = [1, 2, 3, 4].map((n) => [
      { text: 'ACME Quarterly Report', x: 72, y: 760, size: 9 },
      { text: `Body text of page ${n} explains the results in plain words.`, x: 72, y: 600 },
      { text: String(n), x: 300, y: 30, size: 9 },
    ]);
    const doc = await parse(writePdf(pages), 'gen.pdf', noOcr);
    expect(doc.blocks.map((b) => b.text)).toEqual([1, 2, 3, 4].map((n) => `Body text of page ${n} explains the results in plain words.`));
    expect(doc.blocks.map((b) => b.provenance.page)).toEqual([1, 2, 3, 4]);
  });

  it('flags a garbage text layer (fonts without a Unicode mapping) instead of returning mojibake', async () => {
    const doc = await parse(readDoc('pdf/pdfminer__issue-791-non-unicode-cmap.pdf'), 'cz.pdf', noOcr);
    expect(doc.blocks).toEqual([]);
    expect(doc.metadata.warnings).toContain('page 1: garbage text layer and OCR is disabled');
  });

  it('opens encrypted PDFs with the password and fails clearly without it', async () => {
    await expect(parse(readDoc('pdf/pdfjs__issue6010_1.pdf'), 'e.pdf', noOcr)).rejects.toThrow(new EncryptedDocumentError('password_required'));
    await expect(parse(readDoc('pdf/pdfjs__issue6010_1.pdf'), 'e.pdf', { ...noOcr, password: 'nope' })).rejects.toThrow('encrypted: wrong password');
    const opened = await parse(readDoc('pdf/pdfjs__issue6010_1.pdf'), 'e.pdf', { ...noOcr, password: 'abc' });
    expect(textOf(opened)).toContain('Issue 6010');
    const aes = await parse(readDoc('pdf/pdfminer__aes-256-r6.pdf'), 'aes.pdf', { ...noOcr, password: 'usersecret' });
    expect(textOf(aes)).toContain('Hello World');
    const empty = await parse(readDoc('pdf/pdfjs__empty_protected.pdf'), 'p.pdf', noOcr);
    expect(empty.blocks).toEqual([]);
  });

  it('fails broken files alone with a readable reason', async () => {
    await expect(parse(readDoc('pdf/pdfjs__bug1020226.pdf'), 'b.pdf', noOcr)).rejects.toThrow(CorruptDocumentError);
    await expect(parse(readDoc('pdf/pdfjs__bug1020226.pdf'), 'b.pdf', noOcr)).rejects.toThrow(/corrupt pdf file: Invalid PDF structure.* export it again/);
    await expect(parse(readDoc('pdf/pdfjs__poppler-742-0-fuzzed.pdf'), 'f.pdf', noOcr)).rejects.toThrow(/corrupt pdf file/);
    const truncated = readDoc('pdf/pdfjs__tracemonkey.pdf').subarray(0, 4000);
    await expect(parse(truncated, 't.pdf', noOcr)).rejects.toThrow(CorruptDocumentError);
  });

  it('refuses a 2,001-page PDF under the default limit of 2,000 pages', async () => {
    const pages = Array.from({ length: 2001 }, (_, i) => [{ text: `page ${i + 1}`, x: 72, y: 700 }]);
    await expect(parse(writePdf(pages), 'huge.pdf', noOcr)).rejects.toThrow('limit exceeded: pages is 2001, the maximum is 2000');
  });

  it('reports progress page by page and stops when the caller aborts', async () => {
    const pages = Array.from({ length: 4 }, (_, i) => [{ text: `Page ${i + 1} has one sentence of text.`, x: 72, y: 700 }]);
    const progress: [number, number][] = [];
    await parse(writePdf(pages), 'p.pdf', { ...noOcr, onProgress: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    const controller = new AbortController();
    const cancelled = parse(writePdf(pages), 'p.pdf', { ...noOcr, signal: controller.signal, onProgress: (done) => done === 2 && controller.abort() });
    await expect(cancelled).rejects.toThrow(ParseCancelledError);
  });

  it('refuses more pages than the limit allows', async () => {
    const pages = Array.from({ length: 5 }, (_, i) => [{ text: `page ${i + 1}`, x: 72, y: 700 }]);
    const error = await parse(writePdf(pages), 'long.pdf', { ...noOcr, limits: { maxPages: 4 } }).catch((e) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ limit: 'pages', actual: 5, max: 4 });
  });
});

describe('PDF structure details', () => {
  it('keeps section numbers with their titles and numbered sub-headings out of the paragraph after them', async () => {
    const doc = await parse(readDoc('pdf/pdfjs__tracemonkey.pdf'), 'tracemonkey.pdf', { enableOcr: false });
    const headings = doc.blocks.filter((b) => b.kind === 'heading').map((b) => b.text);
    expect(headings).toEqual(expect.arrayContaining(['2. Overview: Example Tracing Run', '3. Trace Trees', '3.1 Traces', '3.2 Trace Trees']));
    const traces = doc.blocks.find((b) => b.text.startsWith('A trace is simply a program path'));
    expect(traces?.provenance.headingPath.slice(-2)).toEqual(['3. Trace Trees', '3.1 Traces']);
    const bullets = doc.blocks.filter((b) => b.kind === 'list_item' && b.provenance.page === 2);
    expect(bullets.map((b) => b.text.split(' ').slice(0, 4).join(' '))).toEqual(['• We explain an', '• We explain how', '• We validate our']);
  });

  it('reads text drawn twice over itself (fake bold) once, and keeps narrow glyphs set side by side', async () => {
    const twice = (text: string, x: number, y: number, size = 11) => [
      { text, x, y, size },
      { text, x: x + 0.3, y: y + 0.2, size },
    ];
    const pdf = writePdf([
      [
        ...twice('Annual Report 2024', 72, 700, 18),
        ...twice('Revenue grew by ten percent over the year.', 72, 660),
        { text: 'l', x: 72, y: 620 },
        { text: 'l', x: 74.5, y: 620 },
        { text: 'Costs were flat.', x: 72, y: 600 },
      ],
    ]);
    const doc = await parse(pdf, 'bold.pdf', noOcr);
    expect(doc.blocks.map((b) => b.text)).toEqual(['Annual Report 2024', 'Revenue grew by ten percent over the year.', 'll', 'Costs were flat.']);
    expect(doc.metadata.warnings).toContain('page 1: 2 text runs drawn twice over themselves (fake bold) dropped');
  });

  it('OCRs every garbage page in page order with progress, and a failing OCR engine is a typed error', async () => {
    // Letter runs make each page's layer garbage, so every page is rendered and handed to OCR.
    const pages = Array.from({ length: 4 }, (_, i) => [{ text: `AAAAAAAA BBBBBBBB CCCC ${i + 1}`, x: 72, y: 700, size: 20 }]);
    const calls: number[] = [];
    const slowOcr = (failOn?: number) => ({
      recognize: async () => {
        const call = calls.push(calls.length + 1);
        await new Promise((done) => setTimeout(done, 30));
        if (call === failOn) throw new Error('tesseract worker died');
        return [{ text: `page text ${call}`, confidence: 90, bbox: { x: 10, y: 10, width: 100, height: 20 } }];
      },
      dispose: async () => undefined,
    });
    const progress: number[] = [];
    const doc = await parse(writePdf(pages), 'g.pdf', { ocr: slowOcr(), onProgress: (done) => progress.push(done) });
    expect(doc.metadata.ocrPages).toEqual([1, 2, 3, 4]);
    expect(doc.blocks.map((b) => [b.provenance.page, b.text])).toEqual([1, 2, 3, 4].map((n) => [n, `page text ${n}`]));
    expect(progress).toEqual([1, 2, 3, 4]);
    calls.length = 0;
    const failed = await parse(writePdf(pages), 'g.pdf', { ocr: slowOcr(2) }).catch((e) => e);
    expect(failed).toBeInstanceOf(CorruptDocumentError);
    expect(failed.message).toContain('tesseract worker died');
  });

  it('keeps as many pages in OCR at once as the engine has workers, and settles them in page order', async () => {
    const pages = Array.from({ length: 5 }, (_, i) => [{ text: `AAAAAAAA BBBBBBBB CCCC ${i + 1}`, x: 72, y: 700, size: 20 }]);
    const engine = (concurrency: number | undefined, delays: number[], failOn?: number) => {
      let running = 0;
      let calls = 0;
      const seen = { most: 0 };
      const ocr = {
        ...(concurrency === undefined ? {} : { concurrency }),
        recognize: async () => {
          const call = ++calls;
          seen.most = Math.max(seen.most, ++running);
          // Later pages may finish first: the parser must still put each reading on its own page.
          await new Promise((done) => setTimeout(done, delays[call - 1] ?? 5));
          running--;
          if (call === failOn) throw new Error('tesseract worker died');
          return [{ text: `page text ${call}`, confidence: 90, bbox: { x: 10, y: 10, width: 100, height: 20 } }];
        },
        dispose: async () => undefined,
      };
      return { ocr, seen };
    };
    const two = engine(2, [60, 5, 40, 5, 5]);
    const doc = await parse(writePdf(pages), 'g.pdf', { ocr: two.ocr });
    expect(two.seen.most).toBe(2);
    expect(doc.metadata.ocrPages).toEqual([1, 2, 3, 4, 5]);
    expect(doc.blocks.map((b) => [b.provenance.page, b.text])).toEqual([1, 2, 3, 4, 5].map((n) => [n, `page text ${n}`]));

    const one = engine(undefined, [20, 5, 5, 5, 5]);
    await parse(writePdf(pages), 'g.pdf', { ocr: one.ocr });
    expect(one.seen.most).toBe(1);

    const failing = engine(3, [5, 5, 5, 5, 5], 4);
    const failed = await parse(writePdf(pages), 'g.pdf', { ocr: failing.ocr }).catch((e) => e);
    expect(failed).toBeInstanceOf(CorruptDocumentError);
    expect(failed.message).toContain('tesseract worker died');
  });
});
