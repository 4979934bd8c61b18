import { defaultOcrEngine } from './core/default-ocr';
import { detectFormat } from './core/format.detector';
import { CorruptDocumentError, EncryptedDocumentError, IngestionError, LimitExceededError } from './core/ingestion.errors';
import { resolveOptions, type ParseOptions } from './core/parse-options';
import type { ParsedDocument } from './core/parsed-document';
import { checkZipLimits } from './core/zip-directory';
import { parseImage } from './image/image.parser';
import { parseDocx } from './office/docx.parser';
import { decryptOoxml } from './office/ooxml-decrypt';
import { parseHtml } from './office/html.parser';
import { parseMarkdown } from './office/markdown.parser';
import { parsePlainText } from './office/text.parser';
import { parsePdf } from './pdf/pdf.parser';
import { parseCsv } from './sheet/csv.parser';
import { readEncryptedOoxml } from './sheet/sheetjs.adapter';
import { parseWorkbook } from './sheet/workbook.parser';

/**
 * Parses one document. The format comes from the bytes (the name only breaks ties between text
 * formats); every failure is an IngestionError whose message a user can act on.
 */
export async function parse(bytes: Uint8Array, filename: string, options: ParseOptions = {}): Promise<ParsedDocument> {
  const resolved = resolveOptions(options);
  if (bytes.byteLength > resolved.limits.maxFileBytes) throw new LimitExceededError('fileBytes', bytes.byteLength, resolved.limits.maxFileBytes);
  let detection;
  try {
    detection = detectFormat(bytes, filename);
  } catch (error) {
    // A password-protected xlsx/docx is an OLE container around the real zip: decrypt and start over.
    if (error instanceof EncryptedDocumentError && resolved.password !== undefined) {
      let streams;
      try {
        streams = readEncryptedOoxml(bytes);
      } catch (cause) {
        throw new CorruptDocumentError('unknown', `damaged encrypted container: ${(cause as Error).message}`, { cause });
      }
      // The decrypted package is a plain zip; the password has done its work.
      return parse(decryptOoxml(streams, resolved.password), filename, { ...options, password: undefined });
    }
    throw error;
  }
  const ocr = () => resolved.ocr ?? defaultOcrEngine();
  if (detection.zipEntries) checkZipLimits(detection.zipEntries, resolved.limits.maxZipUncompressedBytes, resolved.limits.maxZipEntries);
  try {
    switch (detection.format) {
      case 'pdf':
        return await parsePdf(bytes, filename, resolved, ocr);
      case 'png':
      case 'jpeg':
      case 'tiff':
      case 'bmp':
      case 'webp':
        return await parseImage(bytes, filename, detection.format, resolved, ocr());
      case 'xlsx':
      case 'xls':
        return await parseWorkbook(bytes, filename, detection.format);
      case 'csv':
        return parseCsv(detection.text ?? '', filename);
      case 'docx':
        return await parseDocx(bytes, filename);
      case 'html':
        return parseHtml(detection.text ?? '', filename);
      case 'markdown':
        return parseMarkdown(detection.text ?? '', filename);
      case 'txt':
        return parsePlainText(detection.text ?? '', filename);
    }
  } catch (error) {
    if (error instanceof IngestionError) throw error;
    throw new CorruptDocumentError(detection.format, (error as Error)?.message ?? String(error), { cause: error });
  }
}
