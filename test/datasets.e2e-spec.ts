import * as fs from 'node:fs';
import * as path from 'node:path';
import { getDataSourceToken } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import type { DataSource } from 'typeorm';
import { DatasetsService } from '../src/finetune/datasets';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(90_000);

const QA = path.resolve(__dirname, '..', '..', 'shared', 'data', 'qa');

interface Question {
  question: string;
  answers: string[];
}

/** Real questions with their first gold answer, as alpaca rows. */
function alpacaRows(set: string, count: number): Array<Record<string, string>> {
  return fs
    .readFileSync(path.join(QA, set, 'questions.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, count)
    .map((l) => JSON.parse(l) as Question)
    .map((q) => ({ instruction: q.question, input: '', output: String(q.answers.flat()[0]) }));
}

describe('datasets over HTTP', () => {
  let t: TestApp;
  let editor: string;
  let viewer: string;
  const zh = alpacaRows('cmrc2018', 24);
  const en = alpacaRows('rgb_en', 8);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    const admin = t.adminKey!;
    editor = (await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'curator', role: 'editor' }).expect(201)).body.key;
    viewer = (await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'reader', role: 'viewer' }).expect(201)).body.key;
  });

  afterAll(async () => {
    await t?.close();
  });

  const importFile = (key: string, name: string, content: string | Buffer, filename: string, format?: string) => {
    const req = t.http().post('/api/datasets/import').set(bearer(key)).field('name', name);
    if (format) req.field('format', format);
    return req.attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content), filename);
  };

  it('imports the good rows of a mixed JSONL file and reports each bad row and duplicate', async () => {
    const lines = [
      ...zh.map((r) => JSON.stringify(r)),
      '{"instruction": "半截的行", "output": ',
      JSON.stringify({ instruction: '没有答案', output: '   ' }),
      JSON.stringify({ input: 'no instruction', output: 'x' }),
      JSON.stringify({ instruction: 'one megabyte', output: '长'.repeat(350_000) }),
      JSON.stringify({ ...zh[0], instruction: `${zh[0].instruction} ` }),
      ...en.map((r) => JSON.stringify(r)),
    ];
    const report = (await importFile(editor, 'faq', lines.join('\n'), 'faq.jsonl').expect(201)).body;
    expect(report).toMatchObject({ dataset: 'faq', version: 1, format: 'alpaca', layout: 'jsonl', rows: 37, rejected: 4, exactDuplicates: 1 });
    expect(report.imported + report.nearDuplicates).toBe(zh.length + en.length);
    expect(report.rejects.map((r: { row: number }) => r.row)).toEqual([25, 26, 27, 28]);
    expect(report.rejects[0].reason).toMatch(/^broken JSON line/);
    expect(report.rejects[3].reason).toMatch(/over the 65536-byte limit/);
    expect(report.duplicates[0]).toEqual({ row: 29, of: 1, kind: 'exact' });

    const page = (await t.http().get('/api/datasets/faq/records?limit=5').set(bearer(viewer)).expect(200)).body;
    expect(page).toMatchObject({ version: 1, total: report.imported });
    expect(page.records[0]).toMatchObject({ instruction: zh[0].instruction, output: zh[0].output, split: null });
  });

  it('writes nothing when no row is usable, and says why', async () => {
    const res = await importFile(editor, 'empty-one', '{"instruction": "x"}\n{broken\n', 'bad.jsonl').expect(422);
    expect(res.body.message).toMatch(/nothing imported from bad.jsonl: all 2 rows were rejected/);
    expect(res.body.details.rejects).toHaveLength(2);
    await t.http().get('/api/datasets/empty-one').set(bearer(viewer)).expect(404);
    await importFile(editor, 'cut', '[{"instruction": "a", "output": "b"}', 'cut.json').expect(400);
    const wrongField = await t.http().post('/api/datasets/import').set(bearer(editor)).field('name', 'x').attach('upload', Buffer.from('{}'), 'x.json').expect(400);
    expect(wrongField.body.message).toMatch(/Unexpected file field - upload/);
    const noFile = await t.http().post('/api/datasets/import').set(bearer(editor)).field('name', 'x').expect(400);
    expect(noFile.body.message).toMatch(/multipart field "file"/);
  });

  it('viewers read but cannot write', async () => {
    await importFile(viewer, 'v', JSON.stringify([zh[0]]), 'v.json').expect(403);
    await t.http().post('/api/datasets/faq/records').set(bearer(viewer)).send({ records: [{ instruction: 'q', output: 'a' }] }).expect(403);
    await t.http().post('/api/datasets/faq/split').set(bearer(viewer)).send({ validationRatio: 0.2 }).expect(403);
    await t.http().post('/api/datasets/faq/records/from-answer').set(bearer(viewer)).send({ question: 'q', answer: 'a' }).expect(403);
    await t.http().delete('/api/datasets/faq').set(bearer(viewer)).expect(403);
    expect((await t.http().get('/api/datasets').set(bearer(viewer)).expect(200)).body.map((d: { name: string }) => d.name)).toContain('faq');
    await t.http().get('/api/datasets/faq/export?format=alpaca').set(bearer(viewer)).expect(200);
  });

  it('edits make new versions; earlier versions never change, and the database refuses to change them', async () => {
    const v1 = (await t.http().get('/api/datasets/faq/records?version=1&limit=1000').set(bearer(editor)).expect(200)).body.records;
    const target = v1[1];
    const updated = (await t.http().patch(`/api/datasets/faq/records/${target.id}`).set(bearer(editor)).send({ output: '修改后的答案' }).expect(200)).body;
    expect(updated.version).toMatchObject({ version: 2, operation: 'edit', recordCount: v1.length });
    const added = (await t.http().post('/api/datasets/faq/records').set(bearer(editor)).send({ records: [{ instruction: '年假有几天？', output: '入职满一年后每年 10 天。', tags: ['人事'] }] }).expect(201)).body;
    expect(added.version).toMatchObject({ version: 3, recordCount: v1.length + 1 });
    const deleted = (await t.http().delete(`/api/datasets/faq/records/${v1[0].id}`).set(bearer(editor)).expect(200)).body;
    expect(deleted.version).toMatchObject({ version: 4, recordCount: v1.length });
    await t.http().post('/api/datasets/faq/records').set(bearer(editor)).send({ records: [{ instruction: 'q', output: '' }] }).expect(400);
    await t.http().delete(`/api/datasets/faq/records/${v1[0].id}`).set(bearer(editor)).expect(404);

    expect((await t.http().get('/api/datasets/faq/records?version=1&limit=1000').set(bearer(viewer)).expect(200)).body.records).toEqual(v1);
    const v4 = (await t.http().get('/api/datasets/faq/records?limit=1000').set(bearer(viewer)).expect(200)).body;
    expect(v4.version).toBe(4);
    expect(v4.records.find((r: { id: string }) => r.id === target.id).output).toBe('修改后的答案');
    const info = (await t.http().get('/api/datasets/faq').set(bearer(viewer)).expect(200)).body;
    expect(info.versions.map((v: { operation: string }) => v.operation)).toEqual(['import', 'edit', 'edit', 'edit']);

    const db = t.app.get<DataSource>(getDataSourceToken());
    await expect(db.query(`UPDATE dataset_records SET output = 'tampered' WHERE version = 1`)).rejects.toThrow(/immutable/);
    await expect(db.query(`DELETE FROM dataset_versions WHERE version = 1`)).rejects.toThrow(/immutable/);
  });

  it('splits with a seed: the same seed picks the same validation records', async () => {
    const first = (await t.http().post('/api/datasets/faq/split').set(bearer(editor)).send({ validationRatio: 0.25, seed: 7 }).expect(200)).body.version;
    expect(first).toMatchObject({ version: 5, operation: 'split', validationCount: Math.round(first.recordCount * 0.25) });
    expect(first.trainCount + first.validationCount).toBe(first.recordCount);
    const val5 = (await t.http().get('/api/datasets/faq/records?split=validation').set(bearer(viewer)).expect(200)).body;
    expect(val5.total).toBe(first.validationCount);
    await t.http().post('/api/datasets/faq/split').set(bearer(editor)).send({ validationRatio: 0.25, seed: 7 }).expect(200);
    const val6 = (await t.http().get('/api/datasets/faq/records?split=validation').set(bearer(viewer)).expect(200)).body;
    expect(val6.version).toBe(6);
    expect(val6.records.map((r: { id: string }) => r.id)).toEqual(val5.records.map((r: { id: string }) => r.id));
    // What the training engine reads: the whole split of a version, straight from the service.
    const forTraining = await t.app.get(DatasetsService).versionRecords('faq', { version: 6, split: 'validation' });
    expect(forTraining.records.map((r) => r.id)).toEqual(val6.records.map((r: { id: string }) => r.id));
    await t.http().post('/api/datasets/faq/split').set(bearer(editor)).send({ validationRatio: 1.5 }).expect(400);
  });

  it('exports alpaca and sharegpt that import back to the same records, with a LLaMA-Factory entry', async () => {
    const current = (await t.http().get('/api/datasets/faq/records?limit=1000').set(bearer(viewer)).expect(200)).body.records;
    const strip = (rs: Array<Record<string, unknown>>) => rs.map(({ instruction, input, output, system, history }) => ({ instruction, input, output, system, history }));
    for (const [format, lines] of [['alpaca', 'true'], ['sharegpt', 'false']]) {
      const res = await t.http().get(`/api/datasets/faq/export?format=${format}&lines=${lines}`).set(bearer(viewer)).expect(200);
      expect(res.headers['x-dataset-version']).toBe('6');
      const file = lines === 'true' ? `faq-${format}.jsonl` : `faq-${format}.json`;
      const back = (await importFile(editor, `faq-${format}`, res.text, file).expect(201)).body;
      expect(back).toMatchObject({ format, imported: current.length, rejected: 0, exactDuplicates: 0, nearDuplicates: 0 });
      const again = (await t.http().get(`/api/datasets/faq-${format}/records?limit=1000`).set(bearer(viewer)).expect(200)).body.records;
      expect(strip(again)).toEqual(strip(current));
    }
    const lf = (await t.http().get('/api/datasets/faq/export/llamafactory?format=sharegpt&split=train').set(bearer(viewer)).expect(200)).body;
    expect(lf.fileName).toBe('faq-v6-train.json');
    expect(lf.datasetInfo['faq-v6-train']).toMatchObject({ file_name: 'faq-v6-train.json', formatting: 'sharegpt', columns: { messages: 'conversations' } });
    expect(JSON.parse(lf.content)).toHaveLength(current.filter((r: { split: string }) => r.split === 'train').length);
  });

  it('promotes an answer from /api/ask into a dataset, keeping its cited chunks as sources', async () => {
    const citations = [{ index: 1, document: '漠河机场.txt', documentId: '6f1c7c2e-3c55-4b5e-9a59-1f6f1b8d2a10', knowledgeBaseId: 'kb', chunkId: 'c1', page: 1, text: '漠河机场投资2.38亿元人民币。' }];
    const res = (await t.http().post('/api/datasets/faq/records/from-answer').set(bearer(editor)).send({ question: '漠河机场的投资金额是多少？', answer: '投资金额为2.38亿元人民币[1]。', citations }).expect(201)).body;
    expect(res.version).toMatchObject({ version: 7, operation: 'from-answer' });
    const records = (await t.http().get('/api/datasets/faq/records?limit=1000').set(bearer(viewer)).expect(200)).body.records;
    expect(records.find((r: { id: string }) => r.id === res.recordId)).toMatchObject({
      instruction: '漠河机场的投资金额是多少？',
      output: '投资金额为2.38亿元人民币。',
      sources: [{ documentId: citations[0].documentId, chunkId: 'c1', title: '漠河机场.txt', page: 1 }],
      tags: ['from-answer'],
    });
    await t.http().post('/api/datasets/nope/records/from-answer').set(bearer(editor)).send({ question: 'q', answer: 'a' }).expect(404);
  });

  it('imports an XLSX with Chinese headers', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('问答').addRows([['问题', '答案', '标签'], ...en.slice(0, 3).map((r) => [r.instruction, r.output, 'news']), ['空答案', '', '']]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const report = (await importFile(editor, 'sheet', bytes, '问答.xlsx').expect(201)).body;
    expect(report).toMatchObject({ format: 'xlsx', imported: 3, rejected: 1, rejects: [{ row: 5, sheet: '问答', reason: 'empty output (the answer)' }] });
  });

  it('deletes a whole dataset with its versions (the only way rows of a version go)', async () => {
    await t.http().delete('/api/datasets/sheet').set(bearer(editor)).expect(200);
    await t.http().get('/api/datasets/sheet').set(bearer(viewer)).expect(404);
    const db = t.app.get<DataSource>(getDataSourceToken());
    expect(await db.query(`SELECT count(*)::int AS n FROM dataset_records r JOIN datasets d ON d.id = r.dataset_id WHERE d.name = 'sheet'`)).toEqual([{ n: 0 }]);
    await t.http().delete('/api/datasets/sheet').set(bearer(editor)).expect(404);
  });
});
