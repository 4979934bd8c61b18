/** A second-stage scorer over the fused top-N: higher is more relevant; one score per passage, in order. */
export interface Reranker {
  readonly id: string;
  score(query: string, passages: readonly string[]): Promise<number[]>;
  dispose?(): Promise<void>;
}

/** Reorders items by reranker score (stable for ties), keeping the score. */
export async function rerank<T>(reranker: Reranker, query: string, items: readonly T[], text: (item: T) => string): Promise<Array<{ item: T; score: number }>> {
  const scores = await reranker.score(query, items.map(text));
  return items.map((item, i) => ({ item, score: scores[i], i })).sort((a, b) => b.score - a.score || a.i - b.i).map(({ item, score }) => ({ item, score }));
}
