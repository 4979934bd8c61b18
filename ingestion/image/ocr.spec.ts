import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { parse } from '../parse';
import { LimitExceededError } from '../core/ingestion.errors';
import { DOCS, readDoc } from '../testing/shared-data';
import { TesseractOcrEngine } from './tesseract.adapter';

/** Character error rate: edit distance over the reference length, whitespace collapsed. */
function characterErrorRate(actual: string, expected: string): number {
  const a = [...actual.replace(/\s+/g, ' ').trim()];
  const b = [...expected.replace(/\s+/g, ' ').trim()];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length] / b.length;
}

// One worker pool for the whole file: loading chi_sim+eng costs seconds, recognising a page less.
const ocr = new TesseractOcrEngine();
afterAll(() => ocr.dispose());

describe('OCR (tesseract.js, chi_sim+eng from node_modules)', () => {
  it('reads the phototest scan with a low character error rate, lines with confidence and boxes', async () => {
    const doc = await parse(readDoc('images/tesseract__phototest.tif'), 'phototest.tif', { ocr });
    expect(doc.metadata).toMatchObject({ format: 'tiff', pages: 1 });
    const text = doc.blocks.map((b) => b.text).join('\n');
    const truth = readFileSync(resolve(DOCS, 'images/tesseract__phototest.txt'), 'utf8');
    const cer = characterErrorRate(text, truth);
    expect(cer).toBeLessThan(0.03);
    expect(doc.blocks[0]).toMatchObject({ kind: 'ocr_line', provenance: { page: 1, source: 'ocr' } });
    expect(doc.blocks[0].confidence).toBeGreaterThan(60);
    expect(doc.blocks[0].provenance.bbox!.width).toBeGreaterThan(300);
  }, 60_000);

  it('reads the small text of a low-resolution scan again at twice the size', async () => {
    // rapidlayout__layout.jpg is 621 px wide: its lines are about 10 px high.
    const doc = await parse(readDoc('images/rapidlayout__layout.jpg'), 'layout.jpg', { ocr });
    expect(doc.metadata.warnings).toContain('frame 1: small text, read at 2.0x');
    const text = doc.blocks.map((b) => b.text).join('');
    expect(text).toContain('基于深度学习的表格结构识别方法');
    expect(text).toContain('基础之上');
    // Boxes stay in the original image's pixels.
    expect(Math.max(...doc.blocks.map((b) => b.provenance.bbox!.x + b.provenance.bbox!.width))).toBeLessThanOrEqual(621);
  }, 60_000);

  it('honours EXIF orientation and removes spaces between Chinese characters', async () => {
    const doc = await parse(readDoc('images/rapidocr__img_exif_orientation.jpg'), 'upside-down.jpg', { ocr });
    expect(doc.blocks.map((b) => b.text).join('')).toContain('我是中国人');
  }, 60_000);

  it('reads BMP (decoded by us: sharp has no BMP loader) and WebP', async () => {
    const { data, info } = await sharp(readDoc('images/chatchat__ocr_test.jpg')).raw().toBuffer({ resolveWithObject: true });
    const stride = Math.ceil((info.width * 3) / 4) * 4;
    const bmp = Buffer.alloc(54 + stride * info.height);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(bmp.length, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(info.width, 18);
    bmp.writeInt32LE(info.height, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        const s = (y * info.width + x) * info.channels;
        const d = 54 + (info.height - 1 - y) * stride + x * 3;
        [bmp[d], bmp[d + 1], bmp[d + 2]] = [data[s + 2], data[s + 1], data[s]];
      }
    }
    const fromBmp = await parse(new Uint8Array(bmp), 'scan.bmp', { ocr });
    expect(fromBmp.metadata.format).toBe('bmp');
    expect(fromBmp.blocks.map((b) => b.text)).toEqual(expect.arrayContaining(['横向文本框', 'English text']));
    const webp = await sharp(readDoc('images/chatchat__ocr_test.jpg')).webp({ lossless: true }).toBuffer();
    const fromWebp = await parse(new Uint8Array(webp), 'scan.webp', { ocr });
    expect(fromWebp.metadata.format).toBe('webp');
    expect(fromWebp.blocks.map((b) => b.text)).toEqual(expect.arrayContaining(['横向文本框', 'English text']));
  }, 60_000);

  it('downscales images above the OCR pixel budget and reports boxes in original pixels', async () => {
    const bytes = readDoc('images/tesseract__phototest.tif');
    const meta = await sharp(bytes).metadata();
    const doc = await parse(bytes, 'phototest.tif', { ocr, limits: { ocrMaxPixels: Math.floor((meta.width! * meta.height!) / 2) } });
    expect(doc.metadata.warnings[0]).toMatch(/downscaled/);
    expect(doc.blocks.map((b) => b.text).join(' ')).toContain('quick brown dog');
    const widest = Math.max(...doc.blocks.map((b) => b.provenance.bbox!.x + b.provenance.bbox!.width));
    expect(widest).toBeGreaterThan(meta.width! * 0.75);
    expect(widest).toBeLessThanOrEqual(meta.width!);
  }, 60_000);

  it('refuses a 200-megapixel image by default, from its header alone', async () => {
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return Buffer.concat([head, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(20_000, 0);
    ihdr.writeUInt32BE(10_000, 4);
    ihdr[8] = 8;
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(16))), chunk('IEND', Buffer.alloc(0))]);
    const error = await parse(new Uint8Array(png), 'huge.png', { ocr }).catch((e) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toBe('limit exceeded: pixels is 200000000, the maximum is 100000000');
  });

  it('refuses an image above the pixel limit before decoding it', async () => {
    const error = await parse(readDoc('images/rapidlayout__layout.jpg'), 'big.jpg', { ocr, limits: { maxPixels: 100_000 } }).catch((e) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.limit).toBe('pixels');
  });

  it('OCRs a PDF page whose text layer is garbage, and keeps clean pages as text', async () => {
    const doc = await parse(readDoc('pdf/pdfminer__issue-791-non-unicode-cmap.pdf'), 'cz.pdf', { ocr });
    expect(doc.metadata.ocrPages).toEqual([1]);
    expect(doc.metadata.warnings).toContain('page 1: text layer is garbage, read by OCR');
    const line = doc.blocks[0];
    expect(line).toMatchObject({ kind: 'ocr_line', provenance: { page: 1, source: 'ocr' } });
    expect(line.text).toMatch(/prost.edky na .ctech/);
    // Boxes are in PDF points: the line sits in the top table row of an A4 page.
    expect(line.provenance.bbox!.y).toBeLessThan(40);
    expect(line.provenance.bbox!.x).toBeGreaterThan(70);
  }, 60_000);

  it('OCRs a page whose text layer is only a few characters, when OCR reads more', async () => {
    const doc = await parse(readDoc('pdf/pdfplumber__malformed-from-issue-932.pdf'), 'sign.pdf', { ocr });
    expect(doc.metadata.warnings).toContain('page 1: text layer is sparse, read by OCR');
    const text = doc.blocks.map((b) => b.text).join('');
    expect(text).toContain('有限公司');
    expect(text).toContain('签字页');
    expect(doc.blocks.every((b) => b.kind === 'ocr_line' && b.provenance.source === 'ocr')).toBe(true);
  }, 60_000);

  it('keeps a short but sound text layer when OCR reads the same words (with its own errors)', async () => {
    // The layer says "Hello World"; OCR of the render reads "Hello Vaorld", one character longer.
    const hello = await parse(readDoc('pdf/pdfminer__aes-256-r6.pdf'), 'hello.pdf', { ocr, password: 'usersecret' });
    expect(hello.blocks.map((b) => b.text)).toEqual(['Hello World']);
    expect(hello.metadata.ocrPages).toEqual([]);
  }, 60_000);

  it('OCRs a page whose ToUnicode map sends many glyphs to one character', async () => {
    // pdfjs__issue4061's layer reads 轉轉︰針針針針針針針針針針針針: the file's own CMap is wrong.
    const hk = await parse(readDoc('pdf/pdfjs__issue4061.pdf'), 'hk.pdf', { ocr });
    expect(hk.metadata.ocrPages).toEqual([1]);
    expect(hk.metadata.warnings).toContain('page 1: text layer is garbage, read by OCR');
    const text = hk.blocks.map((b) => b.text).join('');
    expect(text).not.toMatch(/針針/);
    expect(text).toMatch(/安全/);
  }, 60_000);

  it('OCRs a scanned PDF without a text layer within the OCR page budget', async () => {
    const doc = await parse(readDoc('pdf/mineru__small_ocr.pdf'), 'scan.pdf', { ocr, limits: { maxOcrPages: 1 } });
    expect(doc.metadata.pages).toBe(8);
    expect(doc.metadata.ocrPages).toEqual([1]);
    expect(doc.metadata.warnings.filter((w) => /OCR page budget/.test(w))).toHaveLength(7);
    const text = doc.blocks.map((b) => b.text).join('');
    expect(text.length).toBeGreaterThan(200);
    expect(doc.blocks.every((b) => b.provenance.page === 1 && b.kind === 'ocr_line')).toBe(true);
  }, 120_000);
});
