import { IngestionError, CorruptDocumentError, LimitExceededError } from './core/ingestion.errors';
import type { ParsedDocument } from './core/parsed-document';
import { TesseractOcrEngine } from './image/tesseract.adapter';
import { parse } from './parse';
import { corruptVariants, hugePngHeader } from './testing/corrupt-variants';
import { readDoc } from './testing/shared-data';
import { writeDocx, writeZip } from './testing/zip-writer';

// One small real file per format; the sweep (bench/ingest/sweep.bench.ts --corrupt) runs them all.
const FILES = ['pdf/pdfjs__issue12823.pdf', 'pdf/pdfjs__issue2128r.pdf', 'xlsx/exceljs__fibonacci.xlsx', 'xlsx/easyexcel__t03.xlsx', 'images/chatchat__ocr_test.jpg'];
const BUDGET_MS = 20_000;

const ocr = new TesseractOcrEngine();
afterAll(() => ocr.dispose());

/** Text or a typed IngestionError, within the time budget: anything else fails the test. */
async function outcome(bytes: Uint8Array, filename: string): Promise<ParsedDocument | IngestionError> {
  const start = Date.now();
  try {
    return await parse(bytes, filename, { ocr, limits: { maxOcrPages: 1 } });
  } catch (error) {
    if (!(error instanceof IngestionError)) throw new Error(`${filename}: untyped ${(error as Error)?.stack ?? String(error)}`);
    // A user must be able to act on the message: it names the format and says what is wrong.
    expect(error.message.length).toBeGreaterThan(12);
    return error;
  } finally {
    expect(Date.now() - start).toBeLessThan(BUDGET_MS);
  }
}

describe('damaged files end in text or a typed error, quickly', () => {
  it.each(FILES)('%s: truncated, overwritten and empty variants', async (file) => {
    const variants = corruptVariants(readDoc(file), file.split('/')[1], { truncations: [0.01, 0.5, 0.99], overwrites: 2 });
    const seen = new Set<string>();
    for (const v of variants) {
      const result = await outcome(v.bytes, v.filename);
      seen.add(result instanceof IngestionError ? result.name : 'text');
    }
    // The empty variant at least must be refused.
    expect(seen.has('CorruptDocumentError')).toBe(true);
  }, 60_000);

  it('a generated docx: truncated, overwritten and empty variants', async () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => `<w:p><w:r><w:t>第${i + 1}段：知识库的内容 paragraph ${i + 1}</w:t></w:r></w:p>`).join('');
    const variants = corruptVariants(writeDocx(paragraphs), 'notes.docx', { truncations: [0.01, 0.5, 0.99], overwrites: 3 });
    const names = new Set<string>();
    for (const v of variants) {
      const result = await outcome(v.bytes, v.filename);
      names.add(result instanceof IngestionError ? result.name : 'text');
    }
    expect(names.has('CorruptDocumentError')).toBe(true);
  });

  it('refuses an xlsx whose sheet is damaged inside its deflate stream (SheetJS looped forever on it)', async () => {
    const bytes = readDoc('xlsx/easyexcel__t03.xlsx').slice();
    // Inside the deflated xl/worksheets/sheet1.xml, which runs from byte 1,198 to 44,347.
    bytes.fill(0x5a, 30_898, 30_962);
    const error = await outcome(bytes, 't03.xlsx');
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect((error as Error).message).toMatch(/^corrupt xlsx file: part "xl\/worksheets\/sheet1\.xml" is damaged/);
  });

  it('reads the text of a workbook whose only damage is in a picture, and says the picture was left out', async () => {
    const bytes = readDoc('xlsx/mineru__xlsx_01.xlsx').slice();
    const at = Buffer.from(bytes).indexOf('xl/media/image1.png') + 'xl/media/image1.png'.length + 200;
    bytes.fill(0x5a, at, at + 64);
    const doc = (await outcome(bytes, 'wps.xlsx')) as ParsedDocument;
    expect(doc.metadata.warnings[0]).toMatch(/^part "xl\/media\/image1\.png" is damaged \(.+\) and was left out$/);
    expect(doc.blocks.some((b) => b.text.includes('first 123: 1; second 123: 5; third 123: 9'))).toBe(true);
  });

  it('refuses a zip whose directory understates a part, before any engine inflates it', async () => {
    const honest = writeZip({ 'xl/workbook.xml': '<workbook/>', 'xl/worksheets/sheet1.xml': ' '.repeat(200_000) });
    const lying = Buffer.from(honest);
    // Both size fields of sheet1 (local header and central directory) claim 1,000 bytes.
    const local = lying.indexOf('xl/worksheets/sheet1.xml') - 30;
    lying.writeUInt32LE(1000, local + 22);
    const central = lying.lastIndexOf('xl/worksheets/sheet1.xml') - 46;
    lying.writeUInt32LE(1000, central + 24);
    const error = await outcome(new Uint8Array(lying), 'bomb.xlsx');
    expect((error as Error).message).toMatch(/unpacks to more than the 1000 bytes its directory declares/);
  });

  it('says in one line that a cut image is truncated and what to do', async () => {
    const jpeg = readDoc('images/chatchat__ocr_test.jpg');
    const error = await outcome(jpeg.slice(0, jpeg.length >> 1), 'cut.jpg');
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect((error as Error).message).toMatch(/^corrupt jpeg file: .*\(the file is truncated or damaged: upload a complete copy\)$/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses an image whose header declares 10 gigapixels, from the header alone', async () => {
    const error = await outcome(hugePngHeader(100_000, 100_000), 'huge.png');
    expect(error).toBeInstanceOf(LimitExceededError);
  });

  it('names the file kind when a valid file carries another extension', async () => {
    const doc = await outcome(readDoc('pdf/pdfjs__issue2128r.pdf'), 'report.xlsx');
    expect((doc as ParsedDocument).metadata.format).toBe('pdf');
  });
});
