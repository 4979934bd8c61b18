import type { DatasetRecord } from '../dataset-record';

type Field = 'instruction' | 'input' | 'output' | 'system' | 'tags' | 'history';

/** Header names (lower-cased, spaces removed) that name each field, English and Chinese. */
const HEADERS: Record<Field, string[]> = {
  instruction: ['instruction', 'question', 'prompt', 'query', '问题', '指令', '提问', '问', '题目'],
  input: ['input', 'context', '输入', '上下文', '补充'],
  output: ['output', 'answer', 'response', '答案', '输出', '回答', '答复', '答'],
  system: ['system', 'systemprompt', '系统', '系统提示', '系统提示词'],
  tags: ['tags', 'tag', 'label', 'labels', '标签', '分类', '类别'],
  history: ['history', '历史'],
};

export type ColumnMap = Partial<Record<Field, number>>;

/** Finds the columns by their header names; undefined fields have no column. */
export function mapColumns(header: string[]): ColumnMap {
  const map: ColumnMap = {};
  header.forEach((name, col) => {
    const key = name.trim().toLowerCase().replace(/[\s_\-：:]+/g, '');
    for (const field of Object.keys(HEADERS) as Field[]) {
      if (map[field] === undefined && HEADERS[field].includes(key)) map[field] = col;
    }
  });
  return map;
}

export function missingColumns(map: ColumnMap): string[] {
  return (['instruction', 'output'] as const).filter((f) => map[f] === undefined).map((f) => `${f} (${HEADERS[f].join(', ')})`);
}

/** One spreadsheet row as a candidate record; tags split on commas (either width) and semicolons. */
export function fromTableRow(cells: string[], map: ColumnMap): Partial<DatasetRecord> | string {
  const at = (f: Field) => (map[f] === undefined ? undefined : (cells[map[f]!] ?? ''));
  let history: DatasetRecord['history'];
  const rawHistory = at('history')?.trim();
  if (rawHistory) {
    try {
      history = JSON.parse(rawHistory);
    } catch {
      return 'history cell is not JSON (expected [["user", "assistant"], ...])';
    }
  }
  return {
    instruction: at('instruction'),
    input: at('input'),
    output: at('output'),
    system: at('system'),
    history,
    tags: at('tags')?.split(/[,，;；|]/) ?? [],
  };
}
