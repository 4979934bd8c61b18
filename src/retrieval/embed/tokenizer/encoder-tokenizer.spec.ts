import { EncoderTokenizer } from './encoder-tokenizer';
import { UnigramModel } from './unigram.model';
import { UNIGRAM_VOCAB, unigramJson, wordPieceJson } from '../testing/tiny-encoder.fixture';

/** Every segmentation of `s` into vocabulary pieces, the best by total score (the reference Viterbi must match). */
function bruteForceBest(s: string, vocab: Map<string, number>): { score: number; pieces: string[] } | null {
  if (!s) return { score: 0, pieces: [] };
  let best: { score: number; pieces: string[] } | null = null;
  for (let i = 1; i <= s.length; i++) {
    const head = s.slice(0, i);
    if (!vocab.has(head)) continue;
    const rest = bruteForceBest(s.slice(i), vocab);
    if (!rest) continue;
    const score = vocab.get(head)! + rest.score;
    if (!best || score > best.score) best = { score, pieces: [head, ...rest.pieces] };
  }
  return best;
}

describe('EncoderTokenizer (WordPiece)', () => {
  const tok = EncoderTokenizer.fromJson(wordPieceJson());

  it('normalises, splits punctuation and CJK characters, and finds word pieces longest first', () => {
    // [CLS] hello , 世 界 ! un ##aff ##able cafe ##s [SEP]
    expect(tok.encode('Hello, 世界! unaffable  Cafés', 512)).toEqual({ ids: [2, 4, 9, 11, 12, 10, 6, 7, 8, 14, 13, 3], typeIds: Array(12).fill(0) });
  });

  it('makes a word with any unknown piece one [UNK]', () => {
    expect(tok.tokenize('unxyz hello')).toEqual([1, 4]);
  });

  it('truncates to the maximum length with the special tokens kept', () => {
    expect(tok.encode('hello world hello world', 4).ids).toEqual([2, 4, 5, 3]);
  });

  it('encodes a pair with segment ids, truncating the passage first', () => {
    expect(tok.encodePair('hello', 'world world world', 6)).toEqual({ ids: [2, 4, 3, 5, 5, 3], typeIds: [0, 0, 0, 1, 1, 1] });
    expect(tok.padId).toBe(0);
  });
});

describe('EncoderTokenizer (Unigram)', () => {
  const tok = EncoderTokenizer.fromJson(unigramJson());
  const id = (p: string) => UNIGRAM_VOCAB.findIndex(([piece]) => piece === p);

  it('segments each ▁-prefixed word by Viterbi and wraps it in <s> ... </s>', () => {
    expect(tok.encode('hello  world', 512).ids).toEqual([0, id('▁hello'), id('▁wor'), id('ld'), 2]);
    expect(tok.padId).toBe(1);
  });

  it('agrees with exhaustive search for the best segmentation', () => {
    const vocab = new Map(UNIGRAM_VOCAB);
    const model = new UnigramModel(UNIGRAM_VOCAB, 3);
    for (const word of ['▁hello', '▁world', '▁hellold', '▁whello', 'helloworld', '世界世', '▁world世界']) {
      const best = bruteForceBest(word, vocab)!;
      expect([word, model.segment(word)]).toEqual([word, best.pieces.map(id)]);
    }
  });

  it('maps characters no piece covers to one <unk>', () => {
    expect(tok.tokenize('hello ΩΩ')).toEqual([id('▁hello'), id('▁'), 3]);
  });

  it('encodes a RoBERTa pair as <s> A </s></s> B </s>', () => {
    expect(tok.encodePair('hello', '世界', 16).ids).toEqual([0, id('▁hello'), 2, 2, id('▁'), id('世界'), 2]);
  });

  it('rejects a model type it cannot run', () => {
    expect(() => EncoderTokenizer.fromJson({ model: { type: 'BPE' } })).toThrow(/WordPiece or Unigram/);
  });
});
