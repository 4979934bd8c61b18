const CLOSERS = '"\'”’」』）)】》〉\\]';
// Chinese stops end a sentence wherever they stand; Latin ones only before whitespace (not "3.14", "e.g.x").
const BOUNDARY = new RegExp(`(?:[。！？；!?;…]+|\\.{3,}|(?<=\\p{L}|\\p{N}|[${CLOSERS}])[.!?]+(?=\\s))[${CLOSERS}]*\\s*`, 'gu');

/** Splits text into sentences at Chinese (。！？；…) and English (. ! ? ;) boundaries, keeping the stops. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const match of text.matchAll(BOUNDARY)) {
    const end = (match.index ?? 0) + match[0].length;
    const sentence = text.slice(start, end).trim();
    if (sentence) out.push(sentence);
    start = end;
  }
  const tail = text.slice(start).trim();
  if (tail) out.push(tail);
  return out;
}

/** Cuts a sentence that alone exceeds the budget at word (or, in CJK, character) boundaries. */
export function hardSplit(text: string, maxTokens: number, estimate: (t: string) => number): string[] {
  const pieces = text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+\s*|\s+/gu) ?? [text];
  const out: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && estimate(current + piece) > maxTokens) {
      out.push(current.trim());
      current = '';
    }
    current += piece;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
