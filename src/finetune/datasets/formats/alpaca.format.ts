import type { DatasetRecord, HistoryPair } from '../dataset-record';

/** An alpaca row (LLaMA-Factory): instruction, input, output, system, history. */
export function fromAlpaca(row: Record<string, unknown>): Partial<DatasetRecord> | string {
  if (!('instruction' in row) && !('output' in row)) return 'not an alpaca row: no "instruction" or "output" field';
  return {
    instruction: row.instruction as string,
    input: row.input as string | undefined,
    output: row.output as string,
    system: row.system as string | undefined,
    history: row.history as HistoryPair[] | undefined,
    sources: row.sources as DatasetRecord['sources'],
    tags: row.tags as string[] | undefined,
  };
}

export function toAlpaca(r: DatasetRecord): Record<string, unknown> {
  const row: Record<string, unknown> = { instruction: r.instruction, input: r.input ?? '', output: r.output };
  if (r.system) row.system = r.system;
  if (r.history?.length) row.history = r.history;
  return row;
}
