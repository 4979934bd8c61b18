/**
 * BERT's tokenisation (BertNormalizer + BertPreTokenizer + WordPiece), as Hugging Face tokenizers
 * does it: clean control characters, put spaces around CJK ideographs (each is a word), lower-case and
 * strip accents when the model is uncased, split on whitespace and punctuation, then greedy
 * longest-match-first word pieces with the continuation prefix.
 */
export interface WordPieceOptions {
  vocab: ReadonlyMap<string, number>;
  unkToken: string;
  continuingPrefix: string;
  maxInputCharsPerWord: number;
  lowercase: boolean;
  stripAccents: boolean;
  handleChineseChars: boolean;
  cleanText: boolean;
}

export class WordPieceModel {
  private readonly unkId: number;

  constructor(private readonly o: WordPieceOptions) {
    const unk = o.vocab.get(o.unkToken);
    if (unk === undefined) throw new Error(`unk token ${o.unkToken} is not in the vocabulary`);
    this.unkId = unk;
  }

  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const word of preTokenize(this.normalize(text))) this.wordPieces(word, ids);
    return ids;
  }

  private normalize(text: string): string {
    let t = text;
    if (this.o.cleanText) t = t.replace(/[\u0000\ufffd]|[\p{Cc}\p{Cf}]/gu, (c) => (/[\t\n\r]/.test(c) ? ' ' : ''));
    if (this.o.handleChineseChars) t = t.replace(/[\u4e00-\u9fff\u3400-\u4dbf\u{20000}-\u{2a6df}\u{2a700}-\u{2ceaf}\uf900-\ufaff\u{2f800}-\u{2fa1f}]/gu, ' $& ');
    if (this.o.stripAccents) t = t.normalize('NFD').replace(/\p{Mn}/gu, '');
    if (this.o.lowercase) t = t.toLowerCase();
    return t;
  }

  private wordPieces(word: string, out: number[]): void {
    const chars = [...word];
    if (chars.length > this.o.maxInputCharsPerWord) {
      out.push(this.unkId);
      return;
    }
    const pieces: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        const piece = (start > 0 ? this.o.continuingPrefix : '') + chars.slice(start, end).join('');
        found = this.o.vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) {
        out.push(this.unkId); // one unknown piece makes the whole word unknown, as in BERT
        return;
      }
      pieces.push(found);
      start = end;
    }
    out.push(...pieces);
  }
}

/** BERT's punctuation: every ASCII symbol, and every Unicode P* character. */
const PUNCT = String.raw`\p{P}!-\/:-@\[-\x60\{-~`;
const WORDS = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');

/** BertPreTokenizer: whitespace splits, and every punctuation character is a word of its own. */
export function preTokenize(text: string): string[] {
  return text.match(WORDS) ?? [];
}
