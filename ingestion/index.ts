/**
 * The ingestion library's one entry: parse documents into blocks with provenance, chunk them.
 * Nothing here knows about the database or the web framework.
 */
export { parse } from './parse';
export { detectFormat } from './core/format.detector';
export { disposeIngestion } from './core/default-ocr';
export { DEFAULT_LIMITS } from './core/parse-options';
export type { IngestionLimits, ParseOptions } from './core/parse-options';
export type { BBox, Block, BlockKind, DocumentFormat, DocumentMetadata, ParsedDocument, Provenance } from './core/parsed-document';
export { CorruptDocumentError, EncryptedDocumentError, IngestionError, LimitExceededError, ParseCancelledError, UnsupportedFormatError } from './core/ingestion.errors';
export type { LimitName } from './core/ingestion.errors';
export type { OcrEngine, OcrLine } from './image/ocr-engine';
export { TesseractOcrEngine } from './image/tesseract.adapter';
export type { TesseractOptions } from './image/tesseract.adapter';
export { chunkDocument } from './chunk/chunker';
export type { Chunk, ChunkOptions, ChunkProvenance } from './chunk/chunker';
export { estimateTokens } from './chunk/token-estimate';
export { splitSentences } from './chunk/sentence-splitter';
export { readSpreadsheetRows } from './sheet/spreadsheet-rows';
export type { SheetRows, SpreadsheetRows } from './sheet/spreadsheet-rows';
export { NoPagesError, PAGED_FORMATS, PageOutOfRangeError, renderPageImage } from './render/page-image';
export type { PageImage, PageImageOptions } from './render/page-image';
export { PageRenderPool, RenderTimeoutError } from './render/page-render.pool';
export type { PageRenderPoolOptions } from './render/page-render.pool';
