import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRandomCheckpoint } from '../src/moe';
import { FAST_PARAMS, stagesOf, startWithBaseAndDataset, waitForRun } from './support/finetune.fixture';
import { bearer, type TestApp } from './support/test-app';

jest.setTimeout(90_000);


describe('the one-click fine-tuning pipeline', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    ({ t, admin } = await startWithBaseAndDataset());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('trains, merges, evaluates, quantizes, registers with lineage and deploys, as one job', async () => {
    const created = await t.http().post('/api/finetune/pipelines').set(bearer(admin))
      .send({ baseModel: 'tiny-base', dataset: 'codes', datasetVersion: 2, method: 'lora', params: FAST_PARAMS, quantize: { bits: 8 }, deploy: true, modelName: 'tiny-ft' })
      .expect(202);
    expect(created.body).toMatchObject({ kind: 'pipeline', pipeline: { quantize: { bits: 8, group: null }, deploy: true, modelName: 'tiny-ft' } });
    const run = await waitForRun(t, admin, created.body.id, 60_000, 'pipelines');
    expect(run.error).toBeNull();
    expect(stagesOf(run)).toEqual(['train:completed', 'merge:completed', 'evaluate:completed', 'quantize:completed', 'deploy:completed']);
    expect(run.artifacts.model).toBe('tiny-ft@1');
    const job = (await t.http().get(`/api/jobs/${run.jobId}`).set(bearer(admin)).expect(200)).body;
    expect(job).toMatchObject({ name: 'finetune.run', status: 'completed', progress: 100 });

    const models = (await t.http().get('/api/models').set(bearer(admin)).expect(200)).body as Array<Record<string, unknown>>;
    const model = models.find((m) => m.id === run.modelId)!;
    expect(model).toMatchObject({ name: 'tiny-ft', version: 1, status: 'ready', bits: 8, isDefault: true, lineage: { baseModel: 'tiny-base', parentModelId: null, datasetVersion: 'codes@2' } });
    const lineage = JSON.parse(fs.readFileSync(path.join(run.artifacts.onnx, 'zhiku_lineage.json'), 'utf8'));
    expect(lineage).toMatchObject({ run: run.id, baseModel: 'tiny-base', dataset: 'codes@2', params: { rank: 4, steps: 16 } });
    expect(lineage.metrics.valLossAfter).toBeLessThan(lineage.metrics.valLossBefore);

    // The same adapter imported as if trained elsewhere: the same merged weights, registered anew.
    const imported = await t.http().post('/api/finetune/adapters').set(bearer(admin))
      .send({ baseModel: 'tiny-base', adapter: path.relative(t.config.modelsDir, run.artifacts.adapter), dataset: 'codes', quantize: { bits: 8 }, modelName: 'tiny-imported', params: { evalSamples: 1, maxNewTokens: 4 } })
      .expect(202);
    const importRun = await waitForRun(t, admin, imported.body.id, 60_000, 'pipelines');
    expect(importRun.error).toBeNull();
    expect(stagesOf(importRun)).toEqual(['import:completed', 'merge:completed', 'evaluate:completed', 'quantize:completed', 'deploy:skipped']);
    expect(importRun.artifacts.model).toBe('tiny-imported@1');
    expect(fs.readFileSync(path.join(importRun.artifacts.merged, 'model.safetensors')).equals(fs.readFileSync(path.join(run.artifacts.merged, 'model.safetensors')))).toBe(true);
    expect(importRun.evaluation.answers).toHaveLength(1);
    // Its losses, computed on the training graph from the imported matrices, are the run's own.
    expect(importRun.evaluation.before.loss).toBeCloseTo(run.evaluation.before.loss, 4);
    expect(importRun.evaluation.after.loss).toBeCloseTo(run.evaluation.after.loss, 4);
    createRandomCheckpoint(path.join(t.config.modelsDir, 'other-base'), { arch: 'mixtral', layers: 1, hidden: 64, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 9 });
    const refused = await t.http().post('/api/finetune/adapters').set(bearer(admin))
      .send({ baseModel: 'other-base', adapter: path.relative(t.config.modelsDir, run.artifacts.adapter), dataset: 'codes', quantize: { bits: 8 } })
      .expect(400);
    expect(refused.body.message).toMatch(/do not fit the base/);

    // Removing the run keeps the merged checkpoint the registered model names as its source.
    const removed = await t.http().delete(`/api/finetune/runs/${run.id}`).set(bearer(admin)).expect(200);
    expect(removed.body.kept).toEqual([run.artifacts.merged]);
    expect(removed.body.removed).toContain(run.artifacts.adapter);
    expect(fs.existsSync(path.join(run.artifacts.merged, 'model.safetensors'))).toBe(true);

    const answer = await t.http().post('/v1/chat/completions').set(bearer(admin)).send({ model: 'tiny-ft', messages: [{ role: 'user', content: 'Code of item 3?' }], max_tokens: 6, temperature: 0 }).expect(200);
    expect(answer.body.model).toBe('tiny-ft@1');
    expect(answer.body.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('a failed stage stops the chain with its reason and leaves the earlier artifacts intact', async () => {
    const created = await t.http().post('/api/finetune/pipelines').set(bearer(admin))
      .send({ baseModel: 'tiny-base', dataset: 'codes', method: 'lora', params: { ...FAST_PARAMS, steps: 8 }, quantize: { bits: 4 }, modelName: 'blocked' })
      .expect(202);
    // A file where the quantized folder must go: the quantize stage cannot build it.
    fs.writeFileSync(path.join(t.config.modelsDir, `blocked.ft-${created.body.id.slice(0, 8)}`), 'in the way');
    const run = await waitForRun(t, admin, created.body.id, 60_000, 'pipelines');
    expect(run.status).toBe('failed');
    expect(stagesOf(run)).toEqual(['train:completed', 'merge:completed', 'evaluate:completed', 'quantize:failed', 'deploy:skipped']);
    expect(run.error).toMatch(/^quantize failed: /);
    expect(run.stages[3].error).toBeTruthy();
    expect(fs.existsSync(path.join(run.artifacts.adapter, 'adapter_model.safetensors'))).toBe(true);
    expect(fs.existsSync(path.join(run.artifacts.merged, 'model.safetensors'))).toBe(true);
    expect(run.evaluation.after.loss).toEqual(expect.any(Number));
    expect(run.modelId).toBeNull();

    const removed = await t.http().delete(`/api/finetune/runs/${run.id}`).set(bearer(admin)).expect(200);
    expect(removed.body.kept).toEqual([]);
    expect(fs.existsSync(run.artifacts.dir)).toBe(false);
    await t.http().get(`/api/finetune/pipelines/${run.id}`).set(bearer(admin)).expect(404);
  });
});
