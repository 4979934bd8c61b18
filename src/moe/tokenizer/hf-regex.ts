import { TokenizerError } from '../moe.errors';

/**
 * Turns a tokenizers (Rust, Oniguruma-flavoured) pattern into a JavaScript RegExp. Node 20 lacks
 * inline modifier groups, so `(?i:'s|'t)` (Qwen2's contraction rule) is spelled out as `(?:'[sS]|'[tT])`.
 */
export function compileHfRegex(pattern: string): RegExp {
  let source = '';
  let inClass = false;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (!inClass && pattern.startsWith('(?i:', i)) {
      const end = findGroupEnd(pattern, i);
      source += '(?:' + caseFold(pattern.slice(i + 4, end)) + ')';
      i = end + 1;
      continue;
    }
    if (ch === '\\') {
      source += pattern.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    const counted = !inClass && ch === '{' ? /^\{\d+(,\d*)?\}/.exec(pattern.slice(i)) : null;
    const quantifier = counted ? counted[0] : !inClass && '?*+'.includes(ch) && pattern[i - 1] !== '(' ? ch : null;
    if (quantifier) {
      source += quantifier;
      i += quantifier.length;
      // Possessive quantifiers (`?+`, `++`, `{n}+`) have no JS form; the greedy ones match the same here.
      if (pattern[i] === '+') i++;
      continue;
    }
    source += ch;
    i++;
  }
  try {
    return new RegExp(source, 'gu');
  } catch (error) {
    throw new TokenizerError(`tokenizer regex ${JSON.stringify(pattern)} cannot be used: ${(error as Error).message}`);
  }
}

function findGroupEnd(pattern: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') {
      inClass = true;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')' && --depth === 0) {
      return i;
    }
  }
  throw new TokenizerError(`tokenizer regex ${JSON.stringify(pattern)} has an unclosed group`);
}

function caseFold(body: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') {
      out += body.slice(i, i + 2);
      i++;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    if (lower === upper) out += ch;
    else out += inClass ? lower + upper : `[${lower}${upper}]`;
  }
  return out;
}

/** A text cut at a pattern's matches: each part says whether it was a match. */
export interface Segment {
  readonly text: string;
  readonly isMatch: boolean;
}

export function segmentByRegex(text: string, regex: RegExp): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(regex)) {
    if (match[0].length === 0) continue;
    const at = match.index!;
    if (at > last) segments.push({ text: text.slice(last, at), isMatch: false });
    segments.push({ text: match[0], isMatch: true });
    last = at + match[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last), isMatch: false });
  return segments;
}

export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/** tokenizers' Split pre-tokenizer: what becomes of the delimiters the pattern matched. */
export function splitWithBehavior(text: string, regex: RegExp, behavior: SplitBehavior, invert: boolean): string[] {
  const segments = segmentByRegex(text, regex).map((s) => ({ text: s.text, isMatch: s.isMatch !== invert }));
  const out: string[] = [];
  switch (behavior) {
    case 'Removed':
      return segments.filter((s) => !s.isMatch).map((s) => s.text);
    case 'Isolated':
      return segments.map((s) => s.text);
    case 'MergedWithPrevious':
      for (const s of segments) {
        if (s.isMatch && out.length > 0) out[out.length - 1] += s.text;
        else out.push(s.text);
      }
      return out;
    case 'MergedWithNext': {
      let carry = '';
      for (const s of segments) {
        if (s.isMatch) carry += s.text;
        else {
          out.push(carry + s.text);
          carry = '';
        }
      }
      if (carry) out.push(carry);
      return out;
    }
    case 'Contiguous': {
      let previousMatch = false;
      for (const s of segments) {
        if (s.isMatch && previousMatch) out[out.length - 1] += s.text;
        else out.push(s.text);
        previousMatch = s.isMatch;
      }
      return out;
    }
  }
}
