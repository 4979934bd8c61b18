const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const WORD = /[\p{L}\p{N}]+/gu;
const SYMBOL = /[^\s\p{L}\p{N}]/gu;

/**
 * Estimates tokens without a tokenizer: each CJK character counts 1 (BPE vocabularies of Chinese
 * models spend about one token per character), each Latin word or number 1.3 (sub-word pieces),
 * each other visible symbol 0.5. Deterministic and fast; within ~20% of real BPE counts on prose.
 */
export function estimateTokens(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  const rest = text.replace(CJK, ' ');
  const words = rest.match(WORD)?.length ?? 0;
  const symbols = rest.match(SYMBOL)?.length ?? 0;
  return Math.ceil(cjk + words * 1.3 + symbols * 0.5);
}
