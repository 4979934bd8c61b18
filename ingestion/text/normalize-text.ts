import { unifyCjkRadicals } from './cjk-radicals';

const CJK_CHAR = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u3000-\\u303f\\uff00-\\uffef';
const CJK = new RegExp(`[${CJK_CHAR}]`, 'u');
const CJK_SPACE = new RegExp(`(?<=[${CJK_CHAR}])[ \\t\\u00a0]+(?=[${CJK_CHAR}])`, 'gu');
// Full-width punctuation and the ellipsis are left as they are: NFKC would turn "，" into "," and
// "…" into "...", which changes how Chinese reads and hides its sentence boundaries.
const NFKC_RUNS = /[^\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2026]+/g;
// Table-of-contents leaders ("原则⋯⋯⋯⋯⋯ 1", "Introduction ........ 3") carry no words but cost
// tokens and split sentences: a run of four or more becomes one ellipsis.
const LEADER_DOTS = /([.·⋯…‥])\1{3,}/g;
const DIGIT_PUNCTUATION = /(?<=[0-9])[\uff0e\uff0f](?=[0-9])|(?<=(?<![0-9])[0-9]{1,2})\uff1a(?=[0-9]{2}(?![0-9]))/g;

/**
 * NFKC so that Kangxi radicals (⽤ U+2F64), CJK compatibility ideographs and full-width Latin
 * letters and digits become the characters users type, supplement radicals (⻅ U+2EC5) likewise;
 * control characters are dropped.
 */
export function normalizeText(text: string): string {
  return unifyCjkRadicals(text)
    .replace(NFKC_RUNS, (run) => run.normalize('NFKC'))
    // Between digits a full-width point or slash is a decimal point or a date ("0．75",
    // "2020／1／1"), and a colon between hours and minutes a time ("10：30"): typed and searched as
    // ASCII. A label colon stays ("图1：2016年").
    .replace(DIGIT_PUNCTUATION, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(LEADER_DOTS, '…')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u200b\ufeff]/g, '');
}

export function isCjk(ch: string): boolean {
  return CJK.test(ch);
}

/** Removes the spaces OCR and some PDFs put between Chinese characters. */
export function removeCjkSpaces(text: string): string {
  return text.replace(CJK_SPACE, '');
}

/** Collapses runs of whitespace to one space and trims. */
export function squashSpaces(text: string): string {
  return text.replace(/[ \t\u00a0\u3000]+/g, ' ').trim();
}

/**
 * Joins two lines of one paragraph: no space between CJK text, a hyphen at a line break removed
 * when a lower-case word continues ("hyphen-\nated" → "hyphenated"), otherwise one space.
 */
export function joinLines(left: string, right: string): string {
  const a = left.trimEnd();
  const b = right.trimStart();
  if (a === '') return b;
  if (b === '') return a;
  const last = a[a.length - 1];
  const first = b[0];
  // Chinese is written without spaces, also where a Latin word meets a Chinese character.
  if (isCjk(last) || isCjk(first)) return a + b;
  if (last === '-' && /\p{L}/u.test(a[a.length - 2] ?? '')) {
    // "hyphen-\nated" was one word broken by the line; "Trace-\nMonkey" keeps its hyphen.
    if (/\p{Ll}/u.test(first)) return a.slice(0, -1) + b;
    if (/\p{Lu}/u.test(first)) return a + b;
  }
  return `${a} ${b}`;
}
