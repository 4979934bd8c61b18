import { cutForSearch, jiebaIdf } from '../text/jieba.adapter';
import { normalizeWord, scanTokens, splitCode } from '../text/lexical-analyzer';
import { isStopWord } from '../text/stop-words';
import { l2Normalize, type EmbedKind, type Embedder } from './embedder';

/**
 * The built-in default embedder: a TF-IDF vector of hashed lexical features, no model and no download.
 *
 * Features of a text (after NFKC):
 * - Chinese words from jieba's search mode, weighted by jieba's shipped IDF table (frozen, so a vector
 *   depends on its text alone and never drifts with the corpus); words missing from it get IDF_UNKNOWN;
 * - CJK character bigrams (weight BIGRAM_WEIGHT), which match where query and passage segment differently;
 * - Latin words lower-cased, stop-word-free and Porter-stemmed (weight LATIN_WEIGHT: there is no frozen
 *   English IDF table, and stop words are already gone), plus adjacent-stem bigrams for phrases;
 * - codes and standard numbers (GB/T 1234-2020, 3.2.1) whole, weighted like a rare word.
 * Term frequency is sublinear (1 + ln tf). Each feature is hashed (FNV-1a) to one of `dimension` slots
 * with a sign from another hash bit (signed hashing keeps inner products unbiased under collisions),
 * and the sum is L2-normalised, so cosine similarity is a TF-IDF cosine up to hashing noise.
 * It is a lexical vector: it finds shared words and characters, not paraphrases; that is what an ONNX
 * encoder is for.
 */
const IDF_UNKNOWN = 12;
const LATIN_WEIGHT = 10;
const LATIN_BIGRAM_WEIGHT = 6;
const BIGRAM_WEIGHT = 4;
const CODE_WEIGHT = 13;
const VERSION = 1;

export interface HashedFeaturesOptions {
  /** Vector length; default 512. */
  dimension?: number;
}

export class HashedFeaturesEmbedder implements Embedder {
  readonly dimension: number;
  readonly id: string;

  constructor(options: HashedFeaturesOptions = {}) {
    this.dimension = options.dimension ?? 512;
    if (!Number.isInteger(this.dimension) || this.dimension < 16 || this.dimension > 2000) {
      throw new RangeError(`dimension must be an integer in 16..2000 (pgvector's HNSW limit), got ${options.dimension}`);
    }
    this.id = `zhiku-hashed-v${VERSION}-${this.dimension}`;
  }

  async embedBatch(texts: readonly string[], _kind: EmbedKind): Promise<Float32Array[]> {
    return texts.map((t) => this.embed(t));
  }

  embed(text: string): Float32Array {
    const features = extractFeatures(text);
    const v = new Float32Array(this.dimension);
    for (const [feature, { tf, weight }] of features) {
      const h = fnv1a(feature);
      const slot = (h >>> 1) % this.dimension;
      const sign = h & 1 ? -1 : 1;
      v[slot] += sign * weight * (1 + Math.log(tf));
    }
    return l2Normalize(v);
  }
}

interface Feature {
  tf: number;
  weight: number;
}

/** Features of a text with their term frequency and weight; exported for tests and diagnostics. */
export function extractFeatures(text: string): Map<string, Feature> {
  const features = new Map<string, Feature>();
  const add = (key: string, weight: number) => {
    const f = features.get(key);
    if (f) f.tf++;
    else features.set(key, { tf: 1, weight });
  };
  const idf = jiebaIdf();
  let previousStem: string | null = null;
  for (const token of scanTokens(text)) {
    if (token.kind === 'cjk') {
      previousStem = null;
      for (const w of cutForSearch(token.text)) if (!isStopWord(w)) add(`w:${w}`, idf.get(w) ?? IDF_UNKNOWN);
      const chars = [...token.text];
      for (let i = 0; i + 1 < chars.length; i++) add(`b:${chars[i]}${chars[i + 1]}`, BIGRAM_WEIGHT);
      continue;
    }
    if (token.kind !== 'word') {
      const { whole, parts } = splitCode(token.text);
      if (whole) add(`c:${whole}`, CODE_WEIGHT);
      for (const part of parts) {
        const stem = normalizeWord(part);
        if (stem) add(`l:${stem}`, LATIN_WEIGHT);
      }
      previousStem = null;
      continue;
    }
    const stem = normalizeWord(token.text);
    if (!stem) continue;
    add(`l:${stem}`, LATIN_WEIGHT);
    if (previousStem) add(`p:${previousStem} ${stem}`, LATIN_BIGRAM_WEIGHT);
    previousStem = stem;
  }
  return features;
}

/** 32-bit FNV-1a over UTF-16 code units, with a final avalanche so low bits are well mixed. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
