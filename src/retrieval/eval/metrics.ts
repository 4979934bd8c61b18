/**
 * Retrieval metrics over one question's ranked results, each result already judged found or not.
 * A question has one information need: nDCG uses binary gains with an ideal ranking of as many
 * relevant results as were retrieved (at most one ideal hit when relevance is "contains the answer").
 */
export function recallAt(found: readonly boolean[], k: number): number {
  return found.slice(0, k).some(Boolean) ? 1 : 0;
}

export function reciprocalRankAt(found: readonly boolean[], k = 10): number {
  const i = found.slice(0, k).indexOf(true);
  return i < 0 ? 0 : 1 / (i + 1);
}

export function ndcgAt(found: readonly boolean[], k = 10): number {
  const top = found.slice(0, k);
  let dcg = 0;
  let relevant = 0;
  top.forEach((hit, i) => {
    if (hit) {
      dcg += 1 / Math.log2(i + 2);
      relevant++;
    }
  });
  if (!relevant) return 0;
  let ideal = 0;
  for (let i = 0; i < relevant; i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

export interface MetricSummary {
  questions: number;
  [metric: string]: number;
}

/** Mean of recall@k for each k, MRR@10 and nDCG@10 over all questions. */
export function summarize(judged: readonly (readonly boolean[])[], ks: readonly number[]): MetricSummary {
  const n = judged.length;
  const out: MetricSummary = { questions: n };
  const mean = (f: (found: readonly boolean[]) => number) => (n ? judged.reduce((s, j) => s + f(j), 0) / n : 0);
  for (const k of ks) out[`recall@${k}`] = mean((j) => recallAt(j, k));
  out['mrr@10'] = mean((j) => reciprocalRankAt(j, 10));
  out['ndcg@10'] = mean((j) => ndcgAt(j, 10));
  return out;
}
