import { buildRandomTokenizer, type RandomTokenizerFiles } from '../../../moe/random/random-tokenizer';
import { BYTE_TO_CHAR } from '../../../moe/tokenizer/byte-level';
import { TrainingOptionsError } from '../training.errors';
import { learnByteLevelMerges } from './bpe-merges';

/** Special tokens of the ChatML layout src/moe's random tokenizer writes: <|endoftext|>, <|im_start|>, <|im_end|>. */
const SPECIAL_TOKENS = 3;

/**
 * A byte-level BPE tokenizer (Qwen2's pre-tokenizer, ChatML specials and chat template) whose merges
 * are learned from the corpus. The file layout is src/moe's random tokenizer's, so the generator, the
 * importer and the chat template read it like any Qwen-style tokenizer; only vocabulary and merges are
 * replaced. Merges are learned on at most `sampleChars` characters (21 s for the 578k characters of the
 * shared qa passages at 1,789 merges); the vocabulary shrinks to what the sample can fill.
 */
export function trainCorpusTokenizer(docs: readonly string[], vocabSize: number, sampleChars = 2_000_000): RandomTokenizerFiles {
  if (!Number.isInteger(vocabSize) || vocabSize < 256 + SPECIAL_TOKENS) {
    throw new TrainingOptionsError(`the vocabulary must hold the 256 bytes and ${SPECIAL_TOKENS} special tokens: at least ${256 + SPECIAL_TOKENS}, got ${vocabSize}`);
  }
  const sample = sampleText(docs, sampleChars);
  const vocab: Record<string, number> = {};
  BYTE_TO_CHAR.forEach((ch, b) => (vocab[ch] = b));
  const merges: string[] = [];
  for (const [a, b] of learnByteLevelMerges(sample, vocabSize - SPECIAL_TOKENS - 256)) {
    if (vocab[a + b] !== undefined) continue;
    merges.push(`${a} ${b}`);
    vocab[a + b] = 256 + merges.length - 1;
  }
  const files = buildRandomTokenizer('chatml', 256 + merges.length + SPECIAL_TOKENS)!;
  const model = (files.tokenizer as { model: { vocab: Record<string, number>; merges: string[] } }).model;
  model.vocab = vocab;
  model.merges = merges;
  return files;
}

/** Spread over the whole corpus: an equal share of characters from each document, so both languages teach merges. */
function sampleText(docs: readonly string[], limit: number): string {
  const total = docs.reduce((n, d) => n + d.length, 0);
  if (total <= limit) return docs.join('\n');
  const share = Math.max(1, Math.floor(limit / docs.length));
  return docs.map((d) => d.slice(0, share)).join('\n');
}
