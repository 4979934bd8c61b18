import * as path from 'node:path';
import { createRandomCheckpoint } from '../src/moe';
import { SafetensorsFile } from '../src/moe/checkpoint/safetensors.reader';
import { FAST_PARAMS, startWithBaseAndDataset, waitForRun } from './support/finetune.fixture';
import { zhiku } from './support/run-zhiku';
import { bearer, type TestApp } from './support/test-app';

jest.setTimeout(60_000);

/** The largest |a − b| over every tensor of two merged checkpoints, relative to the largest |a|. */
function mergedDifference(a: string, b: string): { names: number; worst: number } {
  const [x, y] = [SafetensorsFile.open(path.join(a, 'model.safetensors')), SafetensorsFile.open(path.join(b, 'model.safetensors'))];
  try {
    expect([...y.entries.keys()]).toEqual([...x.entries.keys()]);
    let worst = 0;
    for (const name of x.entries.keys()) {
      const [u, v] = [x.read(name).data, y.read(name).data];
      let scale = 1e-12;
      let diff = 0;
      for (let i = 0; i < u.length; i++) {
        scale = Math.max(scale, Math.abs(u[i]));
        diff = Math.max(diff, Math.abs(u[i] - v[i]));
      }
      worst = Math.max(worst, diff / scale);
    }
    return { names: x.entries.size, worst };
  } finally {
    x.close();
    y.close();
  }
}

/** FAST_PARAMS, smaller: the pure-JS TensorFlow.js backend takes ~0.3 s a step on the tiny model where ONNX Runtime takes milliseconds. */
const SMALL = { ...FAST_PARAMS, steps: 8, batchSize: 2, seqLen: 32, warmupSteps: 1, evalEvery: 4, checkpointEvery: 4, evalSamples: 0 };

describe('fine-tuning engines: onnxruntime and tfjs', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    ({ t, admin } = await startWithBaseAndDataset());
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (params: object, baseModel = 'tiny-base') => t.http().post('/api/finetune/runs').set(bearer(admin)).send({ baseModel, dataset: 'codes', method: 'lora', params: { ...SMALL, ...params } });

  it('the same run on both engines gives the same loss curve and the same merged weights', async () => {
    const ids = [(await post({ engine: 'onnxruntime' }).expect(202)).body.id, (await post({ engine: 'tfjs' }).expect(202)).body.id];
    const [ort, tfjs] = [await waitForRun(t, admin, ids[0]), await waitForRun(t, admin, ids[1])];
    for (const run of [ort, tfjs]) expect([run.status, run.error]).toEqual(['completed', null]);
    expect([ort.params.engine, tfjs.params.engine]).toEqual(['onnxruntime', 'tfjs']);
    const curve = (run: typeof ort) => run.history.map((s: { loss: number; valLoss: number | null }) => [s.loss, s.valLoss]).flat().filter((v: number | null) => v !== null) as number[];
    const [a, b] = [curve(ort), curve(tfjs)];
    expect(b).toHaveLength(a.length);
    expect(a.length).toBeGreaterThan(SMALL.steps);
    const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.abs(v)));
    expect(worst).toBeLessThan(1e-4);
    // The runs learned: identical curves from a model that did not move would prove nothing.
    const train = ort.history.map((s: { loss: number }) => s.loss);
    expect(train[train.length - 1]).toBeLessThan(0.9 * train[0]);
    expect(Math.abs(ort.evaluation.after.loss - tfjs.evaluation.after.loss) / ort.evaluation.after.loss).toBeLessThan(1e-4);
    const merged = mergedDifference(ort.artifacts.merged, tfjs.artifacts.merged);
    expect(merged.names).toBeGreaterThan(10);
    expect(merged.worst).toBeLessThan(1e-4);
  });

  it('refuses with a 400 naming params.engine what the tfjs engine does not cover', async () => {
    const reasons = async (params: object, base?: string) => {
      const res = await post(params, base).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['params.engine']);
      return res.body.message as string;
    };
    expect(await reasons({ engine: 'tfjs', dropout: 0.1 })).toMatch(/no LoRA dropout/);
    expect(await reasons({ engine: 'tfjs', trainRouter: true })).toMatch(/router frozen/);
    expect(await reasons({ engine: 'tfjs', batchSize: 256, seqLen: 32_768 })).toMatch(/pure-JavaScript CPU backend .* would take about \d+ s/);
    createRandomCheckpoint(path.join(t.config.modelsDir, 'tiny-qwen'), { arch: 'qwen2_moe', layers: 1, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 5 });
    expect(await reasons({ engine: 'tfjs' }, 'tiny-qwen')).toMatch(/Mixtral-style models only; this model has q\/k\/v biases, a shared expert/);
    await post({ engine: 'tensorflow' }).expect(400);
    // The CLI refuses an unknown engine with exit 2 before it opens anything.
    const cli = await zhiku('--data', t.config.dataDir, 'finetune', 'run', '--base', 'tiny-base', '--dataset', 'codes', '--engine', 'pytorch');
    expect(cli.code).toBe(2);
    expect(cli.err).toContain('--engine takes onnxruntime or tfjs');
  });
});
