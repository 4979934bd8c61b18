import { QaFormatError } from '../retrieval.errors';

/** One line of a QA file: {"question", "answers": [..], "doc"?: a file name or a list of them}. */
export interface QaItem {
  id: string;
  question: string;
  /** Answer strings; a nested list (a set of alternatives) is flattened, since any of them will do. */
  answers: string[];
  /** Gold document file names; empty when the file names none. */
  docs: string[];
}

export function parseQaJsonl(text: string): QaItem[] {
  const items: QaItem[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new QaFormatError(`not JSON (${(e as Error).message})`, i + 1);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new QaFormatError('expected a JSON object', i + 1);
    const o = value as Record<string, unknown>;
    if (typeof o.question !== 'string' || !o.question.trim()) throw new QaFormatError('"question" must be a non-empty string', i + 1);
    const answers = flattenStrings(o.answers ?? []);
    if (answers === null) throw new QaFormatError('"answers" must be a list of strings (or lists of strings)', i + 1);
    const docs = o.doc === undefined || o.doc === null ? [] : flattenStrings(Array.isArray(o.doc) ? o.doc : [o.doc]);
    if (docs === null) throw new QaFormatError('"doc" must be a file name or a list of file names', i + 1);
    if (!answers.length && !docs.length) throw new QaFormatError('a question needs "answers" or "doc" to be judged', i + 1);
    items.push({ id: typeof o.id === 'string' ? o.id : `q${i + 1}`, question: o.question, answers, docs });
  });
  return items;
}

function flattenStrings(v: unknown): string[] | null {
  if (!Array.isArray(v)) return null;
  const out: string[] = [];
  for (const x of v) {
    if (typeof x === 'string') {
      if (x.trim()) out.push(x);
    } else if (Array.isArray(x)) {
      const inner = flattenStrings(x);
      if (inner === null) return null;
      out.push(...inner);
    } else return null;
  }
  return out;
}

/**
 * How a retrieved chunk is judged. 'doc-or-answer' is the rule: the chunk contains an answer,
 * or comes from a gold document when the QA file names one. 'doc' is the stricter rule (gold document
 * only, falling back to the answer when no document is named), reported beside it because short
 * answers ("中国") also occur in distractor passages.
 */
export type FoundRule = 'doc-or-answer' | 'doc';

export interface RetrievedChunk {
  text: string;
  documentName: string;
}

export function normalizeForMatch(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

export function isFound(item: QaItem, chunk: RetrievedChunk, rule: FoundRule = 'doc-or-answer'): boolean {
  const fromGold = item.docs.includes(chunk.documentName);
  if (fromGold) return true;
  if (rule === 'doc' && item.docs.length) return false;
  const text = normalizeForMatch(chunk.text);
  return item.answers.some((a) => text.includes(normalizeForMatch(a)));
}
