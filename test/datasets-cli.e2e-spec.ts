import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshDataDir } from '../src/database/testing/embedded-template';
import { zhiku } from './support/run-zhiku';

jest.setTimeout(90_000);

describe('zhiku dataset', () => {
  let data: string;
  let dir: string;

  beforeAll(async () => {
    data = await freshDataDir('zhiku-dataset-cli-');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-dataset-files-'));
  });

  it('imports a CSV with Chinese headers, prints counts and the first rejects, and exports a version', async () => {
    const csv = path.join(dir, '常见问题.csv');
    fs.writeFileSync(csv, '问题,答案\n年假有几天？,入职满一年后每年 10 天。\n报销要多久？,一般 5 个工作日。\n没有答案,\nHow do I reset my password?,Use the self-service portal.\n');
    const text = await zhiku('--data', data, 'dataset', 'import', csv, '--name', 'hr');
    expect(text.code).toBe(0);
    expect(text.out).toContain('hr v1: imported 3 of 4 rows (csv, csv, utf-8); rejected 1');
    expect(text.out).toContain('row 4: empty output (the answer)');

    const jsonl = path.join(dir, 'more.jsonl');
    fs.writeFileSync(jsonl, `${JSON.stringify({ conversations: [{ from: 'human', value: '试用期多久？' }, { from: 'gpt', value: '三个月。' }] })}\n`);
    const json = await zhiku('--data', data, 'dataset', 'import', jsonl, '--name', 'hr', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ dataset: 'hr', version: 2, format: 'sharegpt', imported: 1 });

    const list = await zhiku('--data', data, 'dataset', 'list', '--json');
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'hr', latestVersion: 2, recordCount: 4 })]);

    const out = path.join(dir, 'export', 'hr-v1.jsonl');
    const exported = await zhiku('--data', data, 'dataset', 'export', 'hr@1', '--format', 'alpaca', '--out', out, '--llamafactory', '--json');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.out)).toMatchObject({ version: 1, records: 3 });
    expect(fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).instruction)).toEqual(['年假有几天？', '报销要多久？', 'How do I reset my password?']);
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'export', 'dataset_info.json'), 'utf8'));
    expect(info['hr-v1']).toMatchObject({ file_name: 'hr-v1.jsonl', formatting: 'alpaca' });
  });

  it('exits 1 when nothing imports and 2 on bad arguments', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"instruction": "q"}\nnot json\n');
    const failed = await zhiku('--data', data, 'dataset', 'import', bad, '--name', 'nothing');
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('nothing imported from bad.jsonl: all 2 rows were rejected');
    expect(failed.err).toContain('row 2: broken JSON line');
    expect((await zhiku('--data', data, 'dataset', 'import', bad, '--name', 'x', '--format', 'parquet')).code).toBe(2);
    const badName = await zhiku('--data', data, 'dataset', 'import', bad, '--name', 'hr@2');
    expect(badName.code).toBe(1);
    expect(badName.err).toContain('dataset name "hr@2"');
    expect((await zhiku('--data', data, 'dataset', 'export', 'hr@zero', '--format', 'alpaca', '--out', path.join(dir, 'x.json'))).code).toBe(2);
    const missing = await zhiku('--data', data, 'dataset', 'export', 'hr@9', '--format', 'alpaca', '--out', path.join(dir, 'x.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('dataset hr has no version 9 (latest is 2)');
  });
});
