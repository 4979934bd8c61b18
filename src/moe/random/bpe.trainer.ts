import { bytesToByteLevel } from '../tokenizer/byte-level';
import { splitWithBehavior } from '../tokenizer/hf-regex';
import { compileHfRegex } from '../tokenizer/hf-regex';

/** Qwen2's pre-tokenizer rule; random tokenizers use it so tests exercise the same path. */
export const QWEN2_SPLIT_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** A little English and Chinese text to learn merges from, so random tokenizers compress real text. */
export const TRAINING_TEXT = [
  'The knowledge base answers questions with citations to the documents it read.',
  'Mixture-of-experts models route each token to a few experts chosen by a router.',
  'Quantization stores weights in fewer bits; decoding speed is bound by memory bandwidth.',
  'Please summarize the report, translate it into Chinese, and list the open questions.',
  '知识库根据文档回答问题，并给出引用。',
  '混合专家模型把每个词元路由给少数几个专家。',
  '请总结这份报告，把它翻译成英文，并列出尚未解决的问题。',
  '量化用更少的比特保存权重，解码速度受内存带宽限制。',
  '今天天气很好，我们去图书馆学习人工智能和机器学习。',
].join('\n');

/**
 * Learns byte-level BPE merges: the most frequent adjacent pair is merged first, ties broken by
 * the pair's text, so the result is deterministic. Stops at `maxMerges` or when no pair is left.
 */
export function trainByteLevelMerges(text: string, maxMerges: number): [string, string][] {
  const regex = compileHfRegex(QWEN2_SPLIT_PATTERN);
  const counts = new Map<string, number>();
  for (const piece of splitWithBehavior(text, regex, 'Isolated', false)) {
    const word = bytesToByteLevel(piece);
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const words = [...counts.entries()].map(([word, count]) => ({ symbols: [...word], count }));
  const merges: [string, string][] = [];
  while (merges.length < maxMerges) {
    const pairs = new Map<string, { pair: [string, string]; count: number }>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] + '\u0000' + symbols[i + 1];
        const entry = pairs.get(key) ?? { pair: [symbols[i], symbols[i + 1]] as [string, string], count: 0 };
        entry.count += count;
        pairs.set(key, entry);
      }
    }
    let best: { key: string; pair: [string, string]; count: number } | null = null;
    for (const [key, entry] of pairs) {
      if (!best || entry.count > best.count || (entry.count === best.count && key < best.key)) best = { key, ...entry };
    }
    if (!best) break;
    merges.push(best.pair);
    const [a, b] = best.pair;
    for (const word of words) {
      const merged: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (i + 1 < word.symbols.length && word.symbols[i] === a && word.symbols[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(word.symbols[i]);
      }
      word.symbols = merged;
    }
  }
  return merges;
}
