import type { DatasetRecord } from '../dataset-record';
import { toAlpaca } from './alpaca.format';
import { toShareGpt } from './sharegpt.format';

export type ExportFormat = 'alpaca' | 'sharegpt';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['alpaca', 'sharegpt'];

/** The records as a JSON list (pretty) or JSON Lines. */
export function exportRecords(records: DatasetRecord[], format: ExportFormat, lines: boolean): string {
  const rows = records.map(format === 'alpaca' ? toAlpaca : toShareGpt);
  return lines ? rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '') : `${JSON.stringify(rows, null, 2)}\n`;
}

/**
 * The dataset_info.json entry LLaMA-Factory needs to train on the exported file
 * (data/dataset_info.json maps a dataset name to its file and column layout).
 */
export function llamaFactoryInfo(name: string, fileName: string, format: ExportFormat): Record<string, unknown> {
  const entry =
    format === 'alpaca'
      ? { file_name: fileName, formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system', history: 'history' } }
      : {
          file_name: fileName,
          formatting: 'sharegpt',
          columns: { messages: 'conversations', system: 'system' },
          tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt' },
        };
  return { [name]: entry };
}
