import { defaultOcrEngine } from './core/default-ocr';
import { detectFormat, type Detection } from './core/format.detector';
import { CorruptDocumentError, EncryptedDocumentError, IngestionError, LimitExceededError } from './core/ingestion.errors';
import { resolveOptions, type ParseOptions, type ResolvedOptions } from './core/parse-options';
import type { ParsedDocument } from './core/parsed-document';
import type { OcrEngine } from './image/ocr-engine';
import { checkZipLimits } from './core/zip-directory';
import { checkZipParts } from './core/zip-integrity';
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
  let zipWarnings: string[] = [];
  if (detection.zipEntries) {
    checkZipLimits(detection.zipEntries, resolved.limits.maxZipUncompressedBytes, resolved.limits.maxZipEntries);
    ({ bytes, warnings: zipWarnings } = checkZipParts(bytes, detection.zipEntries, detection.format));
  }
  try {
    resolved.checkCancelled();
    const doc = await parseDetected(bytes, filename, detection, resolved, ocr);
    doc.metadata.warnings.unshift(...zipWarnings);
    // PDFs and images report page by page; the other formats are read in one go.
    if (!['pdf', 'png', 'jpeg', 'tiff', 'bmp', 'webp'].includes(doc.metadata.format)) resolved.onProgress(doc.metadata.pages, doc.metadata.pages);
    return doc;
  } catch (error) {
    if (error instanceof IngestionError) throw error;
    throw new CorruptDocumentError(detection.format, (error as Error)?.message ?? String(error), { cause: error });
  }
}

/** Hands the bytes to the parser of their format. */
async function parseDetected(bytes: Uint8Array, filename: string, detection: Detection, options: ResolvedOptions, ocr: () => OcrEngine): Promise<ParsedDocument> {
  switch (detection.format) {
    case 'pdf':
      return parsePdf(bytes, filename, options, ocr);
    case 'png':
    case 'jpeg':
    case 'tiff':
    case 'bmp':
    case 'webp':
      return parseImage(bytes, filename, detection.format, options, ocr());
    case 'xlsx':
    case 'xls':
      return parseWorkbook(bytes, filename, detection.format);
    case 'csv':
      return parseCsv(detection.text ?? '', filename);
    case 'docx':
      return parseDocx(bytes, filename);
    case 'html':
      return parseHtml(detection.text ?? '', filename);
    case 'markdown':
      return parseMarkdown(detection.text ?? '', filename);
    case 'txt':
      return parsePlainText(detection.text ?? '', filename);
  }
}
