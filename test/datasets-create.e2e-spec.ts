import { DatasetsService } from '../src/finetune/datasets';
import { bearer, newKey, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(60_000);

describe('POST /api/datasets: an empty dataset at version 0', () => {
  let t: TestApp;
  let editor: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    editor = await newKey(t, 'editor', 'curator');
    viewer = await newKey(t, 'viewer', 'reader');
  });
  afterAll(async () => t?.close());

  it('creates it empty; every read path answers version 0; the first records make version 1', async () => {
    const created = await t.http().post('/api/datasets').set(bearer(editor)).send({ name: '客服问答', description: 'answers kept from Ask' }).expect(201);
    expect(created.body).toMatchObject({ name: '客服问答', description: 'answers kept from Ask', latestVersion: 0, recordCount: 0 });
    expect(created.body.versions).toEqual([expect.objectContaining({ version: 0, operation: 'create', recordCount: 0 })]);
    const ref = encodeURIComponent('客服问答');

    const listed = (await t.http().get('/api/datasets').set(bearer(viewer)).expect(200)).body;
    expect(listed).toEqual([expect.objectContaining({ name: '客服问答', latestVersion: 0, recordCount: 0 })]);
    expect((await t.http().get(`/api/datasets/${ref}`).set(bearer(viewer)).expect(200)).body.versions.map((v: { version: number }) => v.version)).toEqual([0]);
    expect((await t.http().get(`/api/datasets/${ref}/records`).set(bearer(viewer)).expect(200)).body).toEqual({ version: 0, total: 0, records: [] });
    expect((await t.http().get(`/api/datasets/${created.body.id}/records?version=0&split=train`).set(bearer(viewer)).expect(200)).body).toEqual({ version: 0, total: 0, records: [] });
    const exported = await t.http().get(`/api/datasets/${ref}/export?format=alpaca`).set(bearer(viewer)).expect(200);
    expect(exported.headers['x-dataset-version']).toBe('0');
    expect(JSON.parse(exported.text)).toEqual([]);
    expect(JSON.parse((await t.http().get(`/api/datasets/${ref}/export/llamafactory?format=sharegpt`).set(bearer(viewer)).expect(200)).body.content)).toEqual([]);
    await expect(t.app.get(DatasetsService).versionRecords('客服问答')).resolves.toMatchObject({ version: 0, records: [] });
    expect((await t.http().post(`/api/datasets/${ref}/split`).set(bearer(editor)).send({ validationRatio: 0.2 }).expect(400)).body.message).toMatch(/has 0 record/);
    await t.http().get(`/api/datasets/${ref}/records?version=1`).set(bearer(viewer)).expect(404);

    const answer = { question: '退货要几天？', answer: '签收后 7 天内可以无理由退货 [1]。', citations: [{ documentId: 'd1', document: '售后政策.pdf', page: 2 }] };
    const added = (await t.http().post(`/api/datasets/${ref}/records/from-answer`).set(bearer(editor)).send(answer).expect(201)).body;
    expect(added.version).toMatchObject({ version: 1, operation: 'from-answer', recordCount: 1 });
    const v1 = (await t.http().get(`/api/datasets/${ref}/records`).set(bearer(viewer)).expect(200)).body;
    expect(v1).toMatchObject({ version: 1, total: 1, records: [{ instruction: '退货要几天？', output: '签收后 7 天内可以无理由退货。' }] });
    // Version 0 stays readable (and empty) and leaves the history once a real version exists.
    expect((await t.http().get(`/api/datasets/${ref}/records?version=0`).set(bearer(viewer)).expect(200)).body.total).toBe(0);
    expect((await t.http().get(`/api/datasets/${ref}`).set(bearer(viewer)).expect(200)).body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  it('an import into an empty dataset is its version 1', async () => {
    await t.http().post('/api/datasets').set(bearer(editor)).send({ name: 'faq' }).expect(201);
    const rows = [{ instruction: 'Opening hours?', output: '9 to 5.' }, { instruction: 'Parking?', output: 'Level -2.' }].map((r) => JSON.stringify(r)).join('\n');
    const report = (await t.http().post('/api/datasets/import').set(bearer(editor)).field('name', 'faq').attach('file', Buffer.from(rows), 'faq.jsonl').expect(201)).body;
    expect(report).toMatchObject({ dataset: 'faq', version: 1, imported: 2 });
  });

  it('409 on a taken name, 400 on a bad one, 403 for a viewer', async () => {
    await t.http().post('/api/datasets').set(bearer(editor)).send({ name: 'dup' }).expect(201);
    expect((await t.http().post('/api/datasets').set(bearer(editor)).send({ name: 'dup' }).expect(409)).body.message).toMatch(/already exists/);
    const bad = await t.http().post('/api/datasets').set(bearer(editor)).send({ name: '-bad name', extra: 1 }).expect(400);
    expect(bad.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' }), expect.objectContaining({ field: 'extra' })]));
    await t.http().post('/api/datasets').set(bearer(viewer)).send({ name: 'mine' }).expect(403);
  });
});
