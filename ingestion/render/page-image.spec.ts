import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { EncryptedDocumentError } from '../core/ingestion.errors';
import { NoPagesError, PageOutOfRangeError, renderPageImage } from './page-image';

const DOCS = path.resolve(__dirname, '../../..', 'shared/data/docs');
const read = (rel: string) => new Uint8Array(readFileSync(path.join(DOCS, rel)));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function decoded(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  return sharp(png).metadata();
}

describe('renderPageImage', () => {
  const tracemonkey = read('pdf/pdfjs__tracemonkey.pdf');

  it('renders a PDF page at the asked width, with the page size in points for placing bounding boxes', async () => {
    const page = await renderPageImage(tracemonkey, { page: 2, width: 600 });
    expect(page).toMatchObject({ format: 'pdf', pages: 14, width: 600, pageWidth: 612, pageHeight: 792 });
    const meta = await decoded(page.png);
    expect([meta.width, meta.height]).toEqual([600, page.height]);
    expect(page.height).toBe(Math.ceil((792 * 600) / 612));
    // A page of a paper is mostly paper with ink on it, not a blank canvas.
    const stats = await sharp(page.png).stats();
    expect(stats.channels[0].min).toBeLessThan(60);
    expect(stats.channels[0].mean).toBeGreaterThan(200);
  });

  it('caps the pixels of a page however wide it is asked for', async () => {
    const page = await renderPageImage(tracemonkey, { page: 1, width: 2000, maxPixels: 1_000_000 });
    expect(page.width * page.height).toBeLessThanOrEqual(1_000_000 + page.width + page.height);
    expect(page.width).toBeLessThan(2000);
  });

  it('says how many pages there are when asked for one past the end', async () => {
    const error = await renderPageImage(tracemonkey, { page: 15, width: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PageOutOfRangeError);
    expect(error).toMatchObject({ page: 15, pages: 14, code: 'page_out_of_range', message: 'page 15 does not exist: the document has 14 pages' });
  });

  it('refuses an encrypted PDF without its password, and formats that have no pages', async () => {
    await expect(renderPageImage(read('pdf/pdfjs__issue6010_1.pdf'), { page: 1, width: 300 })).rejects.toBeInstanceOf(EncryptedDocumentError);
    await expect(renderPageImage(read('xlsx/easyexcel__t02.xlsx'), { page: 1, width: 300 })).rejects.toBeInstanceOf(NoPagesError);
    await expect(renderPageImage(new TextEncoder().encode('plain words\n'), { page: 1, width: 300 })).rejects.toThrow('a txt document has no pages to render');
    await expect(renderPageImage(tracemonkey, { page: 0, width: 300 })).rejects.toBeInstanceOf(RangeError);
  });

  it('turns a photo upright by its EXIF orientation and never enlarges it', async () => {
    const bytes = read('images/rapidocr__img_exif_orientation.jpg');
    const stored = await sharp(bytes).metadata();
    expect(stored.orientation).toBe(3); // stored upside down, to be turned half a turn
    const page = await renderPageImage(bytes, { page: 1, width: 5000 });
    expect(page).toMatchObject({ format: 'jpeg', pages: 1, width: stored.width, height: stored.height, pageWidth: stored.width, pageHeight: stored.height });
    const meta = await decoded(page.png);
    expect([meta.width, meta.height, meta.orientation]).toEqual([stored.width, stored.height, undefined]);
    // Half a turn reverses the pixel order: the picture matches the stored pixels read backwards.
    const shown = await sharp(page.png).removeAlpha().raw().toBuffer();
    const raw = await sharp(bytes).raw().toBuffer();
    const pixel = (buf: Buffer, i: number) => buf.readUIntBE(i * 3, 3);
    const n = raw.length / 3;
    // Only pixels that differ from their half-turn partner tell the two orders apart (paper is white).
    let telling = 0;
    let backwards = 0;
    for (let i = 0; i < n; i += 7) {
      if (pixel(raw, i) === pixel(raw, n - 1 - i)) continue;
      telling++;
      if (pixel(shown, i) === pixel(raw, n - 1 - i)) backwards++;
    }
    expect(telling).toBeGreaterThan(100);
    expect(backwards).toBe(telling);
  });

  it('shrinks a scan to the asked width and keeps the original size for its OCR boxes', async () => {
    const bytes = read('images/tesseract__phototest.tif');
    const stored = await sharp(bytes).metadata();
    const page = await renderPageImage(bytes, { page: 1, width: 400 });
    expect(page).toMatchObject({ format: 'tiff', pages: 1, width: 400, pageWidth: stored.width, pageHeight: stored.height });
    expect(page.height).toBe(Math.round((stored.height! * 400) / stored.width!));
    await expect(renderPageImage(bytes, { page: 2, width: 400 })).rejects.toThrow('page 2 does not exist: the document has 1 page');
  });
});
