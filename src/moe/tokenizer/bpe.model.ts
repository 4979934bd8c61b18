import { TokenizerError } from '../moe.errors';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const encoder = new TextEncoder();

/**
 * The BPE model of a tokenizer.json: merges applied lowest rank first, then each symbol looked up;
 * a symbol outside the vocabulary falls back to its <0xNN> byte tokens (SentencePiece style) or to
 * the unknown token.
 */
export class BpeModel {
  readonly vocab: ReadonlyMap<string, number>;
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();
  private readonly unkId: number | null;
  private readonly byteFallback: boolean;
  private readonly fuseUnk: boolean;
  private readonly ignoreMerges: boolean;

  constructor(config: Json) {
    if (config.type !== undefined && config.type !== 'BPE') {
      throw new TokenizerError(`tokenizer model type ${config.type} is not supported; only BPE is`);
    }
    if (config.continuing_subword_prefix || config.end_of_word_suffix) {
      throw new TokenizerError('BPE with continuing_subword_prefix or end_of_word_suffix is not supported');
    }
    if (!config.vocab || typeof config.vocab !== 'object') throw new TokenizerError('tokenizer.json model has no vocab');
    this.vocab = new Map(Object.entries(config.vocab as Record<string, number>));
    (config.merges ?? []).forEach((merge: string | [string, string], rank: number) => {
      const pair = typeof merge === 'string' ? merge : merge.join(' ');
      if (!this.ranks.has(pair)) this.ranks.set(pair, rank);
    });
    this.unkId = typeof config.unk_token === 'string' ? (this.vocab.get(config.unk_token) ?? null) : null;
    this.byteFallback = config.byte_fallback === true;
    this.fuseUnk = config.fuse_unk === true;
    this.ignoreMerges = config.ignore_merges === true;
  }

  encodeWord(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const ids = this.symbolsToIds(this.merge(word));
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  private merge(word: string): string[] {
    if (this.ignoreMerges && this.vocab.has(word)) return [word];
    let symbols = [...word];
    for (;;) {
      let bestRank = Infinity;
      let bestPair = '';
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(symbols[i] + ' ' + symbols[i + 1]);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestPair = symbols[i] + ' ' + symbols[i + 1];
        }
      }
      if (bestRank === Infinity) return symbols;
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] + ' ' + symbols[i + 1] === bestPair) {
          merged.push(symbols[i] + symbols[i + 1]);
          i++;
        } else {
          merged.push(symbols[i]);
        }
      }
      symbols = merged;
    }
  }

  private symbolsToIds(symbols: string[]): number[] {
    const ids: number[] = [];
    let lastWasUnk = false;
    for (const symbol of symbols) {
      const id = this.vocab.get(symbol);
      if (id !== undefined) {
        ids.push(id);
        lastWasUnk = false;
        continue;
      }
      if (this.byteFallback) {
        const bytes = [...encoder.encode(symbol)].map((b) => this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`));
        if (bytes.every((b) => b !== undefined)) {
          ids.push(...(bytes as number[]));
          lastWasUnk = false;
          continue;
        }
      }
      if (this.unkId === null) throw new TokenizerError(`symbol ${JSON.stringify(symbol)} is not in the vocabulary and the tokenizer has no unk_token`);
      if (!(this.fuseUnk && lastWasUnk)) ids.push(this.unkId);
      lastWasUnk = true;
    }
    return ids;
  }
}
