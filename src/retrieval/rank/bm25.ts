/**
 * Okapi BM25 over pre-analysed terms, in memory. The SQL index (retrieval.repository.ts) computes the
 * same formula; this one serves the quality harness and is the reference its tests compare against.
 *
 *   score(q, d) = Σ_{t ∈ q} idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
 *   idf(t) = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))       (Lucene's non-negative form)
 */
export interface Bm25Params {
  k1: number;
  b: number;
}

export const DEFAULT_BM25: Bm25Params = { k1: 1.2, b: 0.75 };

export function bm25Idf(documents: number, df: number): number {
  return Math.log(1 + (documents - df + 0.5) / (df + 0.5));
}

export function bm25TermScore(tf: number, docLength: number, avgLength: number, idf: number, p: Bm25Params = DEFAULT_BM25): number {
  return (idf * tf * (p.k1 + 1)) / (tf + p.k1 * (1 - p.b + (p.b * docLength) / avgLength));
}

export interface ScoredId {
  id: number;
  score: number;
}

export class Bm25Index {
  private readonly postings = new Map<string, Array<[number, number]>>();
  private readonly lengths: number[] = [];
  private totalLength = 0;

  constructor(private readonly params: Bm25Params = DEFAULT_BM25) {}

  get size(): number {
    return this.lengths.length;
  }

  /** Adds a document by its terms; returns its id (0, 1, 2, ... in insertion order). */
  add(terms: readonly string[]): number {
    const id = this.lengths.length;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [term, count] of tf) {
      let list = this.postings.get(term);
      if (!list) this.postings.set(term, (list = []));
      list.push([id, count]);
    }
    this.lengths.push(terms.length);
    this.totalLength += terms.length;
    return id;
  }

  /** Top `k` documents for the query terms (each distinct term counted once), best first. */
  search(queryTerms: readonly string[], k: number, allowed?: (id: number) => boolean): ScoredId[] {
    const n = this.lengths.length;
    if (!n) return [];
    const avg = this.totalLength / n || 1;
    const scores = new Map<number, number>();
    for (const term of new Set(queryTerms)) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = bm25Idf(n, list.length);
      for (const [id, tf] of list) {
        if (allowed && !allowed(id)) continue;
        scores.set(id, (scores.get(id) ?? 0) + bm25TermScore(tf, this.lengths[id], avg, idf, this.params));
      }
    }
    return topK([...scores].map(([id, score]) => ({ id, score })), k);
  }
}

/** The k best by score, ties broken by id so results are deterministic. */
export function topK<T extends { id: number; score: number }>(items: T[], k: number): T[] {
  return items.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
}
