const STRONG_END = new Set(['。', '！', '？', '；', '…']);
const WEAK_END = new Set(['.', '!', '?', ';']);
const CLOSERS = new Set(['”', '’', '」', '』', '）', ')', '"', "'", ']', '】']);
/** A dot after these does not end a sentence ("Nov. 12, 2020", "No. 1", "U.S. Open"). */
const ABBREVIATIONS = new Set(
  'jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun no nos vol fig figs eq ref refs mr mrs ms dr prof st jr sr vs etc al inc ltd co corp dept approx est ca pp p'.split(' '),
);

/** Whether the dot at `i` closes an abbreviation or an initial (a single letter: "J. Smith", "U.S."). */
function isAbbreviation(chars: readonly string[], i: number): boolean {
  let start = i;
  while (start > 0 && /[A-Za-z]/.test(chars[start - 1])) start--;
  const word = chars.slice(start, i).join('');
  if (!word) return false;
  return word.length === 1 || ABBREVIATIONS.has(word.toLowerCase());
}

/**
 * Splits text into sentences on Chinese and English boundaries: 。！？；… always end a sentence,
 * . ! ? ; only before white space or the end (so 2.38, v1.2 and URLs stay whole), and a blank line
 * ends a paragraph. A single line break is a wrapped line (PDF text), read as a space. Each sentence
 * keeps its closing punctuation and quotes.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let current = '';
  const flush = () => {
    const s = current.replace(/\s+/g, ' ').trim();
    if (s) out.push(s);
    current = '';
  };
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\n' && /^[ \t\r]*\n/.test(chars.slice(i + 1, i + 8).join(''))) {
      flush();
      continue;
    }
    current += c;
    const strong = STRONG_END.has(c);
    if (!strong && !WEAK_END.has(c)) continue;
    if (c === '.' && chars[i + 1] !== '.' && isAbbreviation(chars, i)) continue;
    let j = i + 1;
    while (j < chars.length && (CLOSERS.has(chars[j]) || STRONG_END.has(chars[j]) || WEAK_END.has(chars[j]))) current += chars[j++];
    if (strong || j >= chars.length || /\s/.test(chars[j])) {
      i = j - 1;
      flush();
    } else {
      i = j - 1;
    }
  }
  flush();
  return out;
}
