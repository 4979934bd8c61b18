import type { SearchMode } from '../rank/search-options';
import { summarize, type MetricSummary } from './metrics';
import { isFound, type FoundRule, type QaItem, type RetrievedChunk } from './qa-set';

/** Whatever answers a query with ranked chunks: the database engine, the in-memory index, the API. */
export type Searcher = (query: string, mode: SearchMode, k: number) => Promise<RetrievedChunk[]>;

export interface EvalReport {
  questions: number;
  modes: Partial<Record<SearchMode, Record<string, number>>>;
}

/**
 * Runs every question in every mode and reports recall@k for each k, MRR@10 and nDCG@10 (the JSON
 * shape of `zhiku eval retrieval --json`). Each question retrieves max(k..., 10) chunks once per mode.
 */
export async function evaluateRetrieval(
  items: readonly QaItem[],
  search: Searcher,
  options: { modes: readonly SearchMode[]; ks: readonly number[]; rule?: FoundRule; onQuestion?: () => void },
): Promise<EvalReport> {
  const depth = Math.max(10, ...options.ks);
  const report: EvalReport = { questions: items.length, modes: {} };
  for (const mode of options.modes) {
    const judged: boolean[][] = [];
    for (const item of items) {
      const hits = await search(item.question, mode, depth);
      judged.push(hits.map((h) => isFound(item, h, options.rule)));
      options.onQuestion?.();
    }
    const { questions: _n, ...metrics } = summarize(judged, options.ks) as MetricSummary;
    report.modes[mode] = metrics;
  }
  return report;
}

/** A plain-text table of a report, one row per mode. */
export function formatReport(report: EvalReport): string {
  const modes = Object.entries(report.modes);
  if (!modes.length) return `${report.questions} questions\n`;
  const columns = Object.keys(modes[0][1]);
  const lines = [`${report.questions} questions`, ['mode'.padEnd(8), ...columns.map((c) => c.padStart(9))].join(' ')];
  for (const [mode, m] of modes) lines.push([mode.padEnd(8), ...columns.map((c) => m[c].toFixed(3).padStart(9))].join(' '));
  return lines.join('\n') + '\n';
}
