/** One turn of earlier conversation: what the user said and what the assistant answered. */
export type HistoryPair = [user: string, assistant: string];

/** Where a record came from: a chunk or a document of a knowledge base. */
export interface SourceRef {
  documentId?: string;
  chunkId?: string;
  title?: string;
  page?: number;
}

/** A curated supervised example, in LLaMA-Factory's alpaca terms. */
export interface DatasetRecord {
  system?: string;
  instruction: string;
  input?: string;
  output: string;
  history?: HistoryPair[];
  sources?: SourceRef[];
  tags: string[];
}

/** A record as stored in a version: a stable id (kept across versions) and its split. */
export interface StoredRecord extends DatasetRecord {
  id: string;
  split: 'train' | 'validation' | null;
}

/** Dataset names; checked by the HTTP DTO and again by the service (the CLI calls it directly). No `@`: it separates NAME@VERSION. */
export const DATASET_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u;

/** Largest record accepted, serialised as JSON (UTF-8 bytes). */
export const MAX_RECORD_BYTES = 64 * 1024;

/** A problem with one row of an import: where it was and why it was refused. */
export interface RowReject {
  /** 1-based line (JSONL, CSV), array index + 1 (JSON) or sheet row (XLSX). */
  row: number;
  sheet?: string;
  reason: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * Checks a candidate record and returns it cleaned (text trimmed at the ends, empty optionals
 * dropped), or the reason it cannot be used.
 */
export function checkRecord(candidate: Partial<DatasetRecord>): DatasetRecord | string {
  const instruction = str(candidate.instruction)?.trim() ?? '';
  const output = str(candidate.output)?.trim();
  if (!instruction) return 'missing instruction (the question)';
  if (output === undefined) return 'missing output (the answer)';
  if (!output) return 'empty output (the answer)';
  const record: DatasetRecord = { instruction, output, tags: [] };
  const system = str(candidate.system)?.trim();
  if (system) record.system = system;
  const input = str(candidate.input)?.trim();
  if (input) record.input = input;
  if (candidate.history !== undefined) {
    if (!Array.isArray(candidate.history) || !candidate.history.every((p) => Array.isArray(p) && p.length === 2 && p.every((t) => typeof t === 'string'))) {
      return 'history must be a list of [user, assistant] text pairs';
    }
    if (candidate.history.length) record.history = candidate.history.map(([u, a]) => [u, a]);
  }
  if (candidate.sources !== undefined) {
    if (!Array.isArray(candidate.sources) || !candidate.sources.every((s) => typeof s === 'object' && s !== null)) return 'sources must be a list of objects';
    if (candidate.sources.length) record.sources = candidate.sources.map(cleanSource);
  }
  if (candidate.tags !== undefined) {
    if (!Array.isArray(candidate.tags) || !candidate.tags.every((t) => typeof t === 'string')) return 'tags must be a list of text';
    record.tags = [...new Set(candidate.tags.map((t) => t.trim()).filter(Boolean))];
  }
  const bytes = Buffer.byteLength(JSON.stringify(record), 'utf8');
  if (bytes > MAX_RECORD_BYTES) return `record is ${bytes} bytes, over the ${MAX_RECORD_BYTES}-byte limit`;
  return record;
}

function cleanSource(s: SourceRef): SourceRef {
  const out: SourceRef = {};
  if (typeof s.documentId === 'string') out.documentId = s.documentId;
  if (typeof s.chunkId === 'string') out.chunkId = s.chunkId;
  if (typeof s.title === 'string') out.title = s.title;
  if (typeof s.page === 'number') out.page = s.page;
  return out;
}
