import { detectFormat } from './format.detector';
import { CorruptDocumentError, EncryptedDocumentError, UnsupportedFormatError } from './ingestion.errors';
import { parse } from '../parse';
import { readDoc } from '../testing/shared-data';
import { writeDocx, writeZip } from '../testing/zip-writer';

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('format detection from the bytes', () => {
  it.each([
    ['pdf/pdfjs__issue2128r.pdf', 'pdf'],
    ['images/tesseract__phototest.tif', 'tiff'],
    ['images/easyocr__chinese.jpg', 'jpeg'],
    ['images/rapidocr__text_vertical_words.png', 'png'],
    ['xlsx/exceljs__fibonacci.xlsx', 'xlsx'],
  ])('%s is %s whatever its name says', (file, format) => {
    expect(detectFormat(readDoc(file), 'report.txt').format).toBe(format);
  });

  it('tells docx from xlsx by the zip content, and refuses other zips', () => {
    expect(detectFormat(writeDocx('<w:p/>'), 'a.xlsx').format).toBe('docx');
    expect(() => detectFormat(writeZip({ 'notes.txt': 'hi' }), 'a.docx')).toThrow(UnsupportedFormatError);
  });

  it('recognises an encrypted OOXML inside an OLE container', () => {
    expect(() => detectFormat(readDoc('xlsx/excelize__encryptAES.xlsx'), 'x.xlsx')).toThrow(EncryptedDocumentError);
  });

  it('calls a cut OLE container truncated, not a file of unknown kind', () => {
    const cut = readDoc('xlsx/excelize__encryptAES.xlsx').slice(0, 2457);
    expect(() => detectFormat(cut, 'x.xlsx')).toThrow(CorruptDocumentError);
    expect(() => detectFormat(cut, 'x.xlsx')).toThrow(/OLE container .* is truncated/);
  });

  it('sniffs text formats: html, markdown, csv, txt', () => {
    expect(detectFormat(utf8('<html><body><p>hi</p></body></html>'), 'x.txt').format).toBe('html');
    expect(detectFormat(utf8('# Title\n\n- item\n- item\n'), 'x.txt').format).toBe('markdown');
    expect(detectFormat(utf8('a,b,c\n1,2,3\n4,5,6\n'), 'x.md').format).toBe('csv');
    expect(detectFormat(utf8('I went home, and then I ate dinner with my family.\nShe said hello, and then she left the room quietly.\n'), 'x').format).toBe('txt');
    expect(detectFormat(utf8('只是一段普通的中文。'), 'notes.md').format).toBe('markdown');
  });

  it('rejects empty, binary and unsupported files with typed errors', async () => {
    await expect(parse(new Uint8Array(0), 'empty.pdf')).rejects.toThrow(new CorruptDocumentError('unknown', 'the file is empty'));
    const gif = utf8('GIF89a\u0001\u0000');
    await expect(parse(gif, 'a.png')).rejects.toMatchObject({ name: 'UnsupportedFormatError', detected: 'gif' });
    await expect(parse(new Uint8Array([0, 1, 2, 3, 0, 0, 7, 8]), 'a.txt')).rejects.toMatchObject({ detected: 'binary' });
  });

  it('refuses a file above the byte limit', async () => {
    await expect(parse(utf8('hello world'), 'a.txt', { limits: { maxFileBytes: 5 } })).rejects.toMatchObject({ name: 'LimitExceededError', limit: 'fileBytes' });
  });
});
