/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): each list contributes
 * weight / (k + rank) for every item it ranks (rank from 1), and items are ordered by the sum.
 * Scores of different retrievers (BM25, cosine) are not comparable; ranks are.
 */
export interface RankedList<K> {
  /** Items best first. */
  items: readonly K[];
  weight?: number;
}

export interface FusedItem<K> {
  key: K;
  score: number;
  /** The item's 1-based rank in each input list, or null where it was absent. */
  ranks: Array<number | null>;
}

export const DEFAULT_RRF_K = 60;

export function reciprocalRankFusion<K>(lists: readonly RankedList<K>[], k = DEFAULT_RRF_K): FusedItem<K>[] {
  if (!(k >= 0)) throw new RangeError(`the RRF constant k must be >= 0, got ${k}`);
  const fused = new Map<K, FusedItem<K>>();
  const order: K[] = [];
  lists.forEach((list, li) => {
    const weight = list.weight ?? 1;
    if (!(weight >= 0)) throw new RangeError(`fusion weights must be >= 0, got ${weight}`);
    list.items.forEach((key, i) => {
      let item = fused.get(key);
      if (!item) {
        item = { key, score: 0, ranks: lists.map(() => null) };
        fused.set(key, item);
        order.push(key);
      }
      if (item.ranks[li] !== null) return; // a list naming an item twice counts its best rank
      item.ranks[li] = i + 1;
      item.score += weight / (k + i + 1);
    });
  });
  // Stable on first appearance, so equal scores keep a deterministic order.
  return order.map((key) => fused.get(key)!).sort((a, b) => b.score - a.score);
}
