import * as fs from 'node:fs';
import * as path from 'node:path';
import { FAST_PARAMS, importTemplatedDataset, tinyBase, waitForRun } from './support/finetune.fixture';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(60_000);

describe('fine-tuning runs over HTTP', () => {
  let t: TestApp;
  let editor: string;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    const admin = t.adminKey!;
    editor = (await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'tuner', role: 'editor' }).expect(201)).body.key;
    viewer = (await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'reader', role: 'viewer' }).expect(201)).body.key;
    tinyBase(t);
    await importTemplatedDataset(t, editor, 'codes');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('trains LoRA as a job: per-step progress, adapter, merged model, before/after evaluation', async () => {
    const created = await t.http().post('/api/finetune/runs').set(bearer(editor)).send({ baseModel: 'tiny-base', dataset: 'codes', method: 'lora', params: FAST_PARAMS }).expect(202);
    expect(created.body).toMatchObject({ kind: 'run', status: 'queued', dataset: { name: 'codes', version: 2 }, params: { rank: 4, alpha: 8, steps: 16 } });
    // Subscribed while the run is queued: the stream follows it live and ends when the run does.
    const live = t.http().get(`/api/finetune/runs/${created.body.id}/events`).set(bearer(viewer)).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done(null, text));
    }).then((res) => res.body as string); // then() sends the request now
    const run = await waitForRun(t, viewer, created.body.id);
    const liveText = await live;
    expect([...liveText.matchAll(/^event: step$/gm)]).toHaveLength(16);
    const statuses = [...liveText.matchAll(/^event: status\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]).status);
    expect(['queued', 'running']).toContain(statuses[0]);
    expect(statuses[statuses.length - 1]).toBe('completed');
    expect(liveText.trimEnd().split('\n\n').pop()).toMatch(/^event: end\ndata: \{.*"status":"completed"/);
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    expect(run.stages.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['train:completed', 'merge:completed', 'evaluate:completed']);
    expect(run.history.map((s: { step: number }) => s.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    for (const s of run.history) expect(s.tokensPerSecond).toBeGreaterThan(0);
    expect(run.history.filter((s: { valLoss: number | null }) => s.valLoss !== null).length).toBe(4);
    const losses = run.history.map((s: { loss: number }) => s.loss);
    expect(losses[losses.length - 1]).toBeLessThan(0.7 * losses[0]);
    expect(run.progress).toMatchObject({ step: 16, totalSteps: 16, etaSeconds: 0 });

    expect(fs.existsSync(path.join(run.artifacts.adapter, 'adapter_model.safetensors'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(run.artifacts.adapter, 'adapter_config.json'), 'utf8'))).toMatchObject({ r: 4, lora_alpha: 8, base_model_name_or_path: 'tiny-base' });
    expect(fs.existsSync(path.join(run.artifacts.merged, 'model.safetensors'))).toBe(true);

    const ev = run.evaluation;
    expect(ev.validationRecords).toBe(6);
    expect(ev.samples).toBe(3);
    expect(ev.after.loss).toBeLessThan(ev.before.loss);
    expect(ev.after.perplexity).toBeCloseTo(Math.exp(ev.after.loss), 6);
    expect(ev.answers).toHaveLength(3);
    for (const a of ev.answers) {
      expect(a.gold).toMatch(/^ZK-\d+-/);
      expect(typeof a.before.answer).toBe('string');
      expect(a.after.charF1).toBeGreaterThanOrEqual(0);
    }
    expect(typeof ev.after.charF1).toBe('number');

    const events = await t.http().get(`/api/finetune/runs/${run.id}/events`).set(bearer(viewer)).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done(null, text));
    });
    expect(events.headers['content-type']).toMatch(/text\/event-stream/);
    const names = [...(events.body as string).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names.filter((n) => n === 'step')).toHaveLength(16);
    expect(names[names.length - 1]).toBe('end');

    const list = await t.http().get('/api/finetune/runs').set(bearer(viewer)).expect(200);
    expect(list.body.map((r: { id: string }) => r.id)).toContain(run.id);
  });

  it('refuses bad parameters, a missing or quantized base, and viewers, each with its reason', async () => {
    const post = (body: object, key = editor) => t.http().post('/api/finetune/runs').set(bearer(key)).send({ baseModel: 'tiny-base', dataset: 'codes', method: 'lora', ...body });
    const zeroRank = await post({ params: { rank: 0 } }).expect(400);
    expect(zeroRank.body.details.map((d: { field: string }) => d.field)).toContain('params.rank');
    const badLr = await post({ params: { learningRate: -0.1, steps: 0 } }).expect(400);
    expect(badLr.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['params.learningRate', 'params.steps']);
    await post({ method: 'full' }).expect(400);
    expect((await post({ baseModel: 'no-such-model' }).expect(404)).body.message).toMatch(/neither a registered model nor a checkpoint folder/);
    expect((await post({ dataset: 'nope' }).expect(404)).body.message).toMatch(/nope/);
    fs.mkdirSync(path.join(t.config.modelsDir, 'onnx-only'));
    fs.writeFileSync(path.join(t.config.modelsDir, 'onnx-only', 'manifest.json'), '{}');
    expect((await post({ baseModel: 'onnx-only' }).expect(400)).body.message).toMatch(/quantized ONNX model folder; LoRA trains on the unquantized checkpoint/);
    await post({}, viewer).expect(403);
    await t.http().get('/api/finetune/runs/00000000-0000-0000-0000-000000000000').set(bearer(viewer)).expect(404);
  });

  it('trains a registered model on its source checkpoint and refuses one that only has its quantized folder', async () => {
    await t.http().post('/api/models/import').set(bearer(t.adminKey!)).send({ checkpoint: 'tiny-base', name: 'tiny-reg', bits: 8 }).expect(202);
    for (let i = 0; i < 100; i++) {
      const models = (await t.http().get('/api/models').set(bearer(t.adminKey!))).body as Array<{ name: string; status: string }>;
      if (models.find((m) => m.name === 'tiny-reg')?.status === 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ok = await t.http().post('/api/finetune/runs').set(bearer(editor)).send({ baseModel: 'tiny-reg', dataset: 'codes', method: 'lora', params: { ...FAST_PARAMS, steps: 3, evalSamples: 0 } }).expect(202);
    expect(ok.body.baseCheckpoint).toBe(fs.realpathSync(path.join(t.config.modelsDir, 'tiny-base')));
    expect((await waitForRun(t, viewer, ok.body.id)).status).toBe('completed');

    const copy = path.join(t.config.modelsDir, 'gone-base');
    fs.cpSync(path.join(t.config.modelsDir, 'tiny-base'), copy, { recursive: true });
    await t.http().post('/api/models/import').set(bearer(t.adminKey!)).send({ checkpoint: 'gone-base', name: 'onnx-only-reg', bits: 8 }).expect(202);
    for (let i = 0; i < 100; i++) {
      const models = (await t.http().get('/api/models').set(bearer(t.adminKey!))).body as Array<{ name: string; status: string }>;
      if (models.find((m) => m.name === 'onnx-only-reg')?.status === 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    fs.rmSync(copy, { recursive: true });
    const refused = await t.http().post('/api/finetune/runs').set(bearer(editor)).send({ baseModel: 'onnx-only-reg', dataset: 'codes', method: 'lora' }).expect(400);
    expect(refused.body.message).toMatch(/onnx-only-reg@1 has only its quantized ONNX folder \(8-bit\).*LoRA trains on the unquantized checkpoint/);
  });

  it('trains the routers beside the adapters when asked, reporting the load-balancing loss', async () => {
    const created = await t.http().post('/api/finetune/runs').set(bearer(editor)).send({ baseModel: 'tiny-base', dataset: 'codes', method: 'lora', params: { ...FAST_PARAMS, steps: 4, evalSamples: 0, trainRouter: true } }).expect(202);
    expect(created.body.params).toMatchObject({ trainRouter: true, routerAuxLossCoef: 0.01 });
    const run = await waitForRun(t, viewer, created.body.id);
    expect(run.status).toBe('completed');
    for (const s of run.history) expect(s.auxLoss).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(path.join(run.artifacts.adapter, 'adapter_config.json'), 'utf8')).modules_to_save).toEqual(['gate']);
    const refused = await t.http().post('/api/finetune/runs').set(bearer(editor)).send({ baseModel: 'tiny-base', dataset: 'codes', method: 'lora', params: { routerAuxLossCoef: 0.1 } }).expect(400);
    expect(refused.body.message).toContain('set params.trainRouter to true');
  });

  it('hands a run off to LLaMA-Factory: the dataset export plus a LoRA SFT config with the same settings', async () => {
    const res = await t.http().post('/api/finetune/handoff/llamafactory').set(bearer(editor)).send({ baseModel: 'tiny-base', dataset: 'codes', params: { rank: 16, steps: 300 } }).expect(200);
    expect(res.body.fileName).toMatch(/\.json$/);
    expect(JSON.parse(res.body.content)).toHaveLength(24);
    expect(Object.values(res.body.datasetInfo)[0]).toMatchObject({ formatting: 'alpaca' });
    expect(res.body.config).toContain('finetuning_type: lora');
    expect(res.body.config).toContain('lora_rank: 16\nlora_alpha: 32');
    expect(res.body.config).toContain('lora_target: q_proj,k_proj,v_proj,o_proj,w1,w3,w2');
    expect(res.body.config).toContain('template: mistral');
    expect(res.body.config).toContain('max_steps: 300');
    const elsewhere = await t.http().post('/api/finetune/handoff/llamafactory').set(bearer(editor)).send({ baseModel: '/cluster/Qwen1.5-MoE-A2.7B', architecture: 'qwen2_moe', dataset: 'codes' }).expect(200);
    expect(elsewhere.body.config).toContain('model_name_or_path: "/cluster/Qwen1.5-MoE-A2.7B"');
    expect(elsewhere.body.config).toContain('template: qwen');
    const routed = await t.http().post('/api/finetune/handoff/llamafactory').set(bearer(editor)).send({ baseModel: 'tiny-base', dataset: 'codes', params: { trainRouter: true } }).expect(200);
    expect(routed.body.config).toContain('additional_target: gate\nmoe_aux_loss_coef: 0.01');
  });

  it('cancels a running run at a step boundary, keeping its checkpoint', async () => {
    const created = await t.http().post('/api/finetune/runs').set(bearer(editor)).send({ baseModel: 'tiny-base', dataset: 'codes', method: 'lora', params: { ...FAST_PARAMS, steps: 5000, checkpointEvery: 2 } }).expect(202);
    const id = created.body.id;
    for (let i = 0; i < 200; i++) {
      const run = (await t.http().get(`/api/finetune/runs/${id}`).set(bearer(viewer))).body;
      if ((run.progress?.step ?? 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await t.http().delete(`/api/finetune/runs/${id}`).set(bearer(editor)).expect(409);
    await t.http().post(`/api/finetune/runs/${id}/cancel`).set(bearer(editor)).expect(200);
    const run = await waitForRun(t, viewer, id);
    expect(run.status).toBe('cancelled');
    expect(run.stages[0].status).toBe('cancelled');
    expect(run.progress.step).toBeLessThan(5000);
    expect(fs.existsSync(path.join(t.config.modelsDir, 'finetune', id, 'checkpoint.bin'))).toBe(true);
    await t.http().post(`/api/finetune/runs/${id}/cancel`).set(bearer(editor)).expect(409);
  });
});
