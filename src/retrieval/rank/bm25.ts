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

/**
 * Candidate pruning for large collections, after Lucene's CommonTermsQuery: a query term found in
 * more than `fraction` of the chunks (and in more than `minDf` of them; defaults 5% and 500) is
 * "common". Only chunks holding at least one selective term (a term that is not common, or else
 * the query's rarest term) are candidates; each candidate is then scored with every query term.
 * A chunk that shares only common words with the query is dropped, and such a chunk could never
 * outrank one holding a rare query term by much: a common term's idf is at most ln(1 + 1/0.05) ≈ 3.0.
 * Below `minDf` chunks nothing is common, so small knowledge bases are scored exactly.
 */
export interface CommonTermCut {
  fraction: number;
  minDf: number;
}

export const DEFAULT_COMMON_TERM_CUT: CommonTermCut = { fraction: 0.05, minDf: 500 };

export function isCommonTerm(documents: number, df: number, cut: CommonTermCut = DEFAULT_COMMON_TERM_CUT): boolean {
  return df > Math.max(cut.minDf, cut.fraction * documents);
}

/** The terms whose postings make the candidate set: the ones that are not common, or the rarest one. */
export function selectiveTerms(documents: number, dfs: ReadonlyMap<string, number>, cut: CommonTermCut = DEFAULT_COMMON_TERM_CUT): Set<string> {
  const terms = [...dfs].filter(([, df]) => df > 0);
  const rare = terms.filter(([, df]) => !isCommonTerm(documents, df, cut)).map(([t]) => t);
  if (rare.length || !terms.length) return new Set(rare);
  // Every term is common: the rarest one (ties by the term, as the SQL orders them) selects.
  terms.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Set([terms[0][0]]);
}

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

  constructor(
    private readonly params: Bm25Params = DEFAULT_BM25,
    private readonly cut: CommonTermCut = DEFAULT_COMMON_TERM_CUT,
  ) {}

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

  /**
   * Top `k` documents for the query terms (each distinct term counted once), best first. Candidates
   * are the documents holding a selective term (see selectiveTerms), scored with every query term.
   */
  search(queryTerms: readonly string[], k: number, allowed?: (id: number) => boolean): ScoredId[] {
    const n = this.lengths.length;
    if (!n) return [];
    const avg = this.totalLength / n || 1;
    const distinct = [...new Set(queryTerms)];
    const selective = selectiveTerms(n, new Map(distinct.map((t) => [t, this.postings.get(t)?.length ?? 0])), this.cut);
    const candidates = new Set<number>();
    for (const term of selective) for (const [id] of this.postings.get(term) ?? []) if (!allowed || allowed(id)) candidates.add(id);
    const scores = new Map<number, number>();
    for (const term of distinct) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = bm25Idf(n, list.length);
      for (const [id, tf] of list) {
        if (!candidates.has(id)) continue;
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
