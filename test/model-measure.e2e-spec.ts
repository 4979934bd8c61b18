import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRandomCheckpoint } from '../src/moe';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(90_000);

const TEXT = path.resolve(__dirname, '..', '..', 'shared', 'data', 'qa', 'cmrc2018', 'questions.jsonl');

describe('model versions carry measured speed and perplexity', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ GENERATOR_THREADS: '1' });
    admin = t.adminKey!;
    createRandomCheckpoint(path.join(t.config.modelsDir, 'ckpt'), { arch: 'qwen2_moe', layers: 2, hidden: 64, intermediate: 64, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 384, seed: 7 });
  });
  afterAll(async () => t?.close());

  const waitReady = async (id: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const model = (await t.http().get(`/api/models/${id}`).set(bearer(admin)).expect(200)).body;
      if (model.status !== 'importing') return model;
      if (Date.now() > deadline) throw new Error(`model ${id} still importing`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('an import measures speed before the version turns ready; measure adds perplexity on a text', async () => {
    const started = await t.http().post('/api/models/import').set(bearer(admin)).send({ checkpoint: 'ckpt', name: 'tiny', bits: 4 }).expect(202);
    expect(started.body.measured).toMatchObject({ decodeTokensPerS: null, prefillTokensPerS: null, peakRssMb: null, perplexity: null });
    // No group asked for: the quantizer's default for 4 bits (64, which divides hidden 64) is what the version records.
    expect(started.body.group).toBeNull();
    const ready = await waitReady(started.body.id);
    expect(ready).toMatchObject({ status: 'ready', group: 64 });
    expect(ready.measured.decodeTokensPerS).toBeGreaterThan(0);
    expect(ready.measured.prefillTokensPerS).toBeGreaterThan(0);
    expect(ready.measured.peakRssMb).toBeGreaterThan(10);
    expect(ready.measured).toMatchObject({ threads: 1, perplexity: null, perplexityTokens: null, perplexityAt: null });
    expect(Date.parse(ready.measured.measuredAt)).not.toBeNaN();
    const listed = (await t.http().get('/api/models').set(bearer(admin)).expect(200)).body.find((m: { id: string }) => m.id === ready.id);
    expect(listed.measured).toEqual(ready.measured);

    const text = fs.readFileSync(TEXT, 'utf8').split('\n').slice(0, 20).map((l) => JSON.parse(l).question).join('\n');
    const measured = (await t.http().post(`/api/models/${ready.id}/measure`).set(bearer(admin)).send({ text }).expect(200)).body;
    expect(Number.isFinite(measured.measured.perplexity)).toBe(true);
    expect(measured.measured.perplexity).toBeGreaterThan(1);
    expect(measured.measured.perplexityTokens).toBeGreaterThan(100);
    expect(measured.measured.decodeTokensPerS).toBeGreaterThan(0);
    expect(Date.parse(measured.measured.measuredAt)).toBeGreaterThanOrEqual(Date.parse(ready.measured.measuredAt));

    // Speed alone again keeps the perplexity measured before.
    const again = (await t.http().post(`/api/models/${ready.id}/measure`).set(bearer(admin)).send({}).expect(200)).body;
    expect(again.measured).toMatchObject({ perplexity: measured.measured.perplexity, perplexityAt: measured.measured.perplexityAt });
  });

  it('a registered version is null until measured; external endpoints, unknown ids and lesser roles are refused', async () => {
    const registered = (await t.http().post('/api/models').set(bearer(admin)).send({ name: 'copy', path: 'tiny.v1' }).expect(201)).body;
    expect(registered.measured).toEqual({ decodeTokensPerS: null, prefillTokensPerS: null, peakRssMb: null, threads: null, measuredAt: null, perplexity: null, perplexityTokens: null, perplexityAt: null });
    const external = (await t.http().post('/api/models').set(bearer(admin)).send({ name: 'remote', provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1' }).expect(201)).body;
    expect((await t.http().post(`/api/models/${external.id}/measure`).set(bearer(admin)).send({}).expect(409)).body.message).toMatch(/external endpoint/);
    await t.http().post('/api/models/5b0e7a4e-2f7c-4a55-9a64-0e6f3f3f7a10/measure').set(bearer(admin)).send({}).expect(404);
    await t.http().post(`/api/models/${registered.id}/measure`).set(bearer(admin)).send({ text: 7 }).expect(400);
    const editor = (await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'ed', role: 'editor' }).expect(201)).body.key;
    await t.http().post(`/api/models/${registered.id}/measure`).set(bearer(editor)).send({}).expect(403);
  });
});
