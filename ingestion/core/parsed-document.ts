/** Formats that `parse` recognises from the bytes. */
export type DocumentFormat =
  | 'pdf'
  | 'png'
  | 'jpeg'
  | 'tiff'
  | 'bmp'
  | 'webp'
  | 'xlsx'
  | 'xls'
  | 'csv'
  | 'docx'
  | 'txt'
  | 'markdown'
  | 'html';

export type BlockKind =
  | 'title'
  | 'heading'
  | 'paragraph'
  | 'list_item'
  | 'table'
  | 'table_row'
  | 'code'
  | 'caption'
  | 'ocr_line';

/** PDF user-space points for PDFs (origin top-left, y down); pixels for images. */
export interface BBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Provenance {
  /** 1-based page (PDF) or frame (image); absent for formats without pages. */
  page?: number;
  bbox?: BBox;
  sheet?: string;
  /** A1-style range, e.g. "A5:F5". */
  cellRange?: string;
  /** Titles of the enclosing headings, outermost first (for a heading: its parents). */
  headingPath: string[];
  /** Where the text came from when it was not read from a text layer. */
  source?: 'text' | 'ocr';
}

export interface Block {
  text: string;
  kind: BlockKind;
  provenance: Provenance;
  /** 1 for top-level headings, deeper numbers for sub-headings. */
  level?: number;
  /** OCR confidence 0..100 for OCR'd blocks. */
  confidence?: number;
  /** Table cells by row for `table` blocks (first row is the header when known). */
  rows?: string[][];
  hiddenSheet?: boolean;
}

export interface DocumentMetadata {
  format: DocumentFormat;
  /** Pages (PDF), frames (images) or sheets (spreadsheets); 1 for flat text. */
  pages: number;
  /** Recoverable problems: a bad page, an OCR'd page, a skipped part. */
  warnings: string[];
  title?: string;
  /** Pages that were rendered and OCR'd (PDF only), 1-based. */
  ocrPages?: number[];
}

export interface ParsedDocument {
  filename: string;
  blocks: Block[];
  metadata: DocumentMetadata;
}
