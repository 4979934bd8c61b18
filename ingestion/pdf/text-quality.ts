export type TextLayerVerdict = 'ok' | 'empty' | 'sparse' | 'garbage';

/**
 * Judges a page's text layer. Fonts without a Unicode mapping give control characters, private-use
 * code points, U+FFFD or runs of Latin-1 letters where the text should be words: such a page is
 * read again by OCR. A page with only a few characters may be a scan with a poor OCR layer.
 */
export function judgeTextLayer(text: string): TextLayerVerdict {
  const chars = [...text.replace(/\s+/g, '')];
  if (chars.length === 0) return 'empty';
  let bad = 0;
  let latin1 = 0;
  let letters = 0;
  for (const ch of chars) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || cp === 0x7f || cp === 0xfffd || (cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0x80 && cp < 0xa0)) bad++;
    if (/\p{L}/u.test(ch)) {
      letters++;
      if (cp >= 0xc0 && cp <= 0xff) latin1++;
    }
  }
  if (bad / chars.length > 0.05) return 'garbage';
  // GBK bytes read as Latin-1 ("Ä¿Â¼" for 目录) are mostly U+00A0-U+00FF, letters or not: a short
  // title in that state is garbage too, and must not pass as a sparse layer that OCR has to beat.
  const high = chars.filter((ch) => ch >= '\u00a0' && ch <= '\u00ff').length;
  if (chars.length >= 4 && high / chars.length > 0.5) return 'garbage';
  if (letters >= 20 && latin1 / letters > 0.25) return 'garbage';
  if (letters >= 40 && implausibleLatinWords(text) > 0.4) return 'garbage';
  if (letters >= 8 && repeatedLetters(chars) / letters > 0.3) return 'garbage';
  if (chars.length < 20) return 'sparse';
  return 'ok';
}

/** Share of Latin words that no language writes: digits inside letters, or case flipping mid-word. */
function implausibleLatinWords(text: string): number {
  const words = text.split(/\s+/).filter((w) => /\p{Script=Latin}/u.test(w) && w.length >= 3);
  if (words.length < 8) return 0;
  const odd = words.filter((w) => /\p{L}\d+\p{L}/u.test(w) || /\p{Ll}\p{Lu}\p{Ll}|\p{Lu}{2,}\p{Ll}+\p{Lu}/u.test(w)).length;
  return odd / words.length;
}

/**
 * Letters standing in runs of four or more of the same letter ("針針針針針針"): a ToUnicode map
 * that sends many glyphs to one code point (pdfjs__issue4061's CMap maps 12 glyphs to 針). No
 * language writes many such runs; "www" and "哈哈哈" stay under four.
 */
function repeatedLetters(chars: string[]): number {
  let repeated = 0;
  let run = 1;
  for (let i = 1; i <= chars.length; i++) {
    if (i < chars.length && chars[i] === chars[i - 1]) {
      run++;
      continue;
    }
    if (run >= 4 && /\p{L}/u.test(chars[i - 1])) repeated += run;
    run = 1;
  }
  return repeated;
}
