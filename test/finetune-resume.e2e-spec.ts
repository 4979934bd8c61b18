import { FAST_PARAMS, stagesOf, startWithBaseAndDataset, waitForRun } from './support/finetune.fixture';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(90_000);

describe('a fine-tuning run across a server restart', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    ({ t, admin } = await startWithBaseAndDataset());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('resumes training from its last checkpoint after the server restarts', async () => {
    const created = await t.http().post('/api/finetune/runs').set(bearer(admin))
      .send({ baseModel: 'tiny-base', dataset: 'codes', method: 'lora', params: { ...FAST_PARAMS, steps: 120, checkpointEvery: 5, evalSamples: 0 } })
      .expect(202);
    const id = created.body.id;
    for (let i = 0; i < 300; i++) {
      const run = (await t.http().get(`/api/finetune/runs/${id}`).set(bearer(admin))).body;
      if ((run.progress?.step ?? 0) >= 12) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await t.close(); // graceful: the job goes back to the queue, training stops at a step boundary with a checkpoint
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }, t.config.dataDir);
    const run = await waitForRun(t, admin, id, 60_000);
    expect(run.status).toBe('completed');
    expect(run.progress.resumedFromStep).toBeGreaterThanOrEqual(12);
    expect(run.history.map((s: { step: number }) => s.step)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(stagesOf(run)).toEqual(['train:completed', 'merge:completed', 'evaluate:completed']);
  });
});
