import type { BBox, Block, ParsedDocument } from '../core/parsed-document';
import { isCjk, joinLines } from '../text/normalize-text';
import { hardSplit, splitSentences } from './sentence-splitter';
import { estimateTokens } from './token-estimate';

export interface ChunkOptions {
  /** Token budget of one chunk (see estimateTokens); default 512. */
  maxTokens?: number;
  /** Tokens of trailing prose repeated at the start of the next chunk of the same section; default 64. */
  overlapTokens?: number;
}

export interface ChunkProvenance {
  pages: number[];
  bboxes: { page: number; bbox: BBox }[];
  sheets: string[];
  cellRanges: string[];
  headingPath: string[];
  /** Indices into ParsedDocument.blocks that this chunk draws from, ascending. */
  blockIndices: number[];
}

export interface Chunk {
  index: number;
  /** The content itself. */
  text: string;
  /** Heading path (and a table's header) that situate the content; prepend it when embedding. */
  context: string;
  tokens: number;
  provenance: ChunkProvenance;
}

interface Unit {
  text: string;
  tokens: number;
  block: number;
  /** Prose may overlap into the next chunk; table rows never do (their header is repeated instead). */
  prose: boolean;
  /** OCR lines of a page run on into each other as the lines of one text. */
  ocr?: boolean;
  /** For rows of one table: the header line that every chunk of its rows carries. */
  tableHeader?: string;
  tableKey?: number;
}

const DEFAULTS = { maxTokens: 512, overlapTokens: 64 };

/**
 * Packs blocks into chunks within a token budget. A chunk never spans two sections (heading paths),
 * never splits a table row, repeats its table's header when a table runs over several chunks, and
 * carries overlap of whole sentences between prose chunks. The same document gives the same chunks.
 */
export function chunkDocument(doc: ParsedDocument, options: ChunkOptions = {}): Chunk[] {
  const maxTokens = Math.max(16, options.maxTokens ?? DEFAULTS.maxTokens);
  const overlapTokens = Math.max(0, Math.min(options.overlapTokens ?? DEFAULTS.overlapTokens, Math.floor(maxTokens / 2)));
  const chunks: Chunk[] = [];
  let units: Unit[] = [];
  let section: string[] = [];
  let sectionKey = '';

  const emit = (carry: boolean) => {
    if (!units.length) return;
    const first = units[0];
    const header = first.tableHeader;
    // A row group that does not start at its header gets the header again.
    const needsHeader = header !== undefined && first.text !== header;
    const text = (needsHeader ? `${header}\n` : '') + joinUnits(units);
    chunks.push({
      index: chunks.length,
      text,
      context: section.join(' > '),
      tokens: estimateTokens(text),
      provenance: provenanceOf(doc.blocks, units, section),
    });
    const kept: Unit[] = [];
    if (carry) {
      let budget = overlapTokens;
      for (let i = units.length - 1; i > 0 && units[i].prose && units[i].tokens <= budget; i--) {
        kept.unshift(units[i]);
        budget -= units[i].tokens;
      }
    }
    units = kept;
  };

  doc.blocks.forEach((block, index) => {
    if (block.kind === 'heading' || block.kind === 'title') {
      emit(false);
      section = [...block.provenance.headingPath, block.text];
      sectionKey = section.join('\u0000');
      return;
    }
    const path = block.provenance.headingPath;
    const key = path.join('\u0000');
    if (key !== sectionKey) {
      emit(false);
      section = [...path];
      sectionKey = key;
    }
    for (const unit of unitsOf(block, index, maxTokens)) {
      const used = units.reduce((sum, u) => sum + u.tokens, 0);
      if (units.length && used + unit.tokens > maxTokens) emit(unit.prose);
      units.push(unit);
    }
  });
  emit(false);
  return chunks;
}

function unitsOf(block: Block, index: number, maxTokens: number): Unit[] {
  if (block.kind === 'table' && block.rows?.length) {
    const lines = block.rows.map((r) => r.join(' | '));
    const header = lines[0];
    return lines.map((text) => ({ text, tokens: estimateTokens(text), block: index, prose: false, tableHeader: header, tableKey: index }));
  }
  if (block.kind === 'table_row') return [{ text: block.text, tokens: estimateTokens(block.text), block: index, prose: false }];
  if (block.kind === 'ocr_line') return [{ text: block.text, tokens: estimateTokens(block.text), block: index, prose: true, ocr: true }];
  const tokens = estimateTokens(block.text);
  if (tokens <= maxTokens && block.kind !== 'paragraph') return [{ text: block.text, tokens, block: index, prose: true }];
  const sentences = splitSentences(block.text).flatMap((s) => (estimateTokens(s) > maxTokens ? hardSplit(s, maxTokens, estimateTokens) : [s]));
  return sentences.map((text) => ({ text, tokens: estimateTokens(text), block: index, prose: true }));
}

/**
 * Sentences of one paragraph run on (no space in Chinese), and so do OCR lines; other blocks and
 * table rows get their own lines.
 */
function joinUnits(units: Unit[]): string {
  let out = '';
  units.forEach((u, i) => {
    if (i === 0) out = u.text;
    else if (u.block === units[i - 1].block && u.prose) out += (isCjk(out.slice(-1)) || isCjk(u.text[0]) ? '' : ' ') + u.text;
    else if (u.ocr && units[i - 1].ocr) out = joinLines(out, u.text);
    else out += '\n' + u.text;
  });
  return out;
}

function provenanceOf(blocks: Block[], units: Unit[], section: string[]): ChunkProvenance {
  const indices = [...new Set(units.map((u) => u.block))].sort((a, b) => a - b);
  const pages = new Set<number>();
  const sheets = new Set<string>();
  const bboxes: { page: number; bbox: BBox }[] = [];
  const cellRanges: string[] = [];
  for (const i of indices) {
    const p = blocks[i].provenance;
    if (p.page !== undefined) pages.add(p.page);
    if (p.page !== undefined && p.bbox) bboxes.push({ page: p.page, bbox: p.bbox });
    if (p.sheet) sheets.add(p.sheet);
    if (p.cellRange) cellRanges.push(p.cellRange);
  }
  return { pages: [...pages].sort((a, b) => a - b), bboxes, sheets: [...sheets], cellRanges, headingPath: [...section], blockIndices: indices };
}
