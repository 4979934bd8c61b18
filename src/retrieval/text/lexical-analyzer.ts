import { cutForSearch } from './jieba.adapter';
import { porterStem } from './porter-stemmer';
import { isStopWord } from './stop-words';

/**
 * Turns text into the terms of the lexical (BM25) index; queries and chunks go through the same
 * function, so whatever it does to one it does to the other.
 *
 * - NFKC first (full-width Latin, Kangxi radicals and compatibility ideographs become what users type).
 * - Chinese (and other CJK) runs: jieba search mode, so 冻土带 gives 冻土带 and 冻土; stop words dropped.
 * - Latin words: lower-cased, stop words dropped, Porter-stemmed.
 * - Codes keep their identity: a standard number (GB/T 1234-2020, ISO 9001:2015), a clause number
 *   (3.2.1), a product code (XJ-200B) or a decimal (2.38) is one whole term, and its alphanumeric
 *   parts are terms too, so "1234" still finds "GB/T 1234-2020".
 */
const STANDARD = String.raw`[A-Z]{2,}(?:/[A-Z]{1,3})?[ \t]?\d+(?:[.:\-]\d+)*`;
const CODE = String.raw`[A-Za-z0-9]+(?:[\-.\/_:#+][A-Za-z0-9]+)+`;
const CJK = String.raw`[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+`;
const WORD = String.raw`[[\p{L}\p{N}\p{M}]--[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]]+`;

export type TokenKind = 'standard' | 'code' | 'cjk' | 'word';

export interface RawToken {
  kind: TokenKind;
  text: string;
}

/** A fresh regex per call: a shared global regex would carry lastIndex between callers. */
function tokenPattern(): RegExp {
  return new RegExp(`(${STANDARD})|(${CODE})|(${CJK})|(${WORD})`, 'gv');
}

/** Splits NFKC-normalised text into raw tokens by kind; nothing is dropped or stemmed yet. */
export function scanTokens(text: string): RawToken[] {
  const tokens: RawToken[] = [];
  for (const m of text.normalize('NFKC').matchAll(tokenPattern())) {
    if (m[1] !== undefined) tokens.push({ kind: 'standard', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'code', text: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: 'cjk', text: m[3] });
    else tokens.push({ kind: 'word', text: m[0] });
  }
  return tokens;
}

/** A Latin word as a term: null for stop words, stemmed when it is all letters. */
export function normalizeWord(word: string): string | null {
  const w = word.toLowerCase();
  if (isStopWord(w)) return null;
  return /^[a-z]+$/.test(w) ? porterStem(w) : w;
}

function pushWordTerms(word: string, out: string[]): void {
  const lower = word.toLowerCase();
  const letters = /\p{L}/u.test(lower);
  const digits = /\d/.test(lower);
  if (letters && digits) {
    // covid19, gpt4o, a380: the whole token, then its letter and digit runs.
    out.push(lower);
    for (const part of lower.match(/\p{L}+|\d+/gu) ?? []) {
      const term = normalizeWord(part);
      if (term) out.push(term);
    }
    return;
  }
  const term = normalizeWord(lower);
  if (term) out.push(term);
}

/**
 * A code's whole term (null when it has one part) and its parts. Dotted initials (U.S., e.g.) are
 * one word, "us", so they meet the undotted spelling rather than dissolve into single letters.
 */
export function splitCode(text: string): { whole: string | null; parts: string[] } {
  const parts = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (parts.length > 1 && parts.every((p) => /^\p{L}$/u.test(p))) return { whole: null, parts: [parts.join('')] };
  return { whole: parts.length > 1 ? text.toLowerCase().replace(/[ \t]/g, '') : null, parts };
}

/** Terms of a text, in order, repeated as often as they occur (term frequency matters to BM25). */
export function analyze(text: string): string[] {
  const out: string[] = [];
  for (const token of scanTokens(text)) {
    switch (token.kind) {
      case 'standard':
      case 'code': {
        const { whole, parts } = splitCode(token.text);
        if (whole) out.push(whole);
        for (const part of parts) pushWordTerms(part, out);
        break;
      }
      case 'cjk':
        for (const w of cutForSearch(token.text)) if (!isStopWord(w)) out.push(w);
        break;
      case 'word':
        pushWordTerms(token.text, out);
        break;
    }
  }
  return out;
}
