import * as path from 'node:path';
import { createRandomCheckpoint } from '../../src/moe';
import { bearer, startTestApp, type TestApp } from './test-app';

/** A tiny random Mixtral (tokenizer and chat template included) under the app's models directory. */
export function tinyBase(t: TestApp, name = 'tiny-base', seed = 5): string {
  const dir = path.join(t.config.modelsDir, name);
  createRandomCheckpoint(dir, { arch: 'mixtral', layers: 1, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed });
  return dir;
}

/**
 * A templated Q&A set the tiny model can learn the shape of in a few steps (the answers share their
 * form), split 75/25 so runs have a validation split.
 */
export async function importTemplatedDataset(t: TestApp, key: string, name: string, count = 24): Promise<void> {
  const colours = ['red', 'blue', 'green', 'amber'];
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ instruction: `Code of item ${i}?`, output: `ZK-${i}-${colours[i % 4]}` }));
  await t.http().post('/api/datasets/import').set(bearer(key)).field('name', name).attach('file', Buffer.from(lines.join('\n')), `${name}.jsonl`).expect(201);
  await t.http().post(`/api/datasets/${name}/split`).set(bearer(key)).send({ validationRatio: 0.25, seed: 1 }).expect(200);
}

/** Polls a run until it is completed, failed or cancelled. */
export async function waitForRun(t: TestApp, key: string, id: string, timeoutMs = 60_000, kind: 'runs' | 'pipelines' = 'runs'): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await t.http().get(`/api/finetune/${kind}/${id}`).set(bearer(key)).expect(200)).body;
    if (['completed', 'failed', 'cancelled'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.status} (${JSON.stringify(run.progress)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Small, fast parameters for the tiny model. */
export const FAST_PARAMS = { rank: 4, steps: 16, batchSize: 4, seqLen: 48, learningRate: 1e-2, warmupSteps: 2, evalEvery: 4, checkpointEvery: 4, evalSamples: 3, maxNewTokens: 8 };

/** The app with a tiny base model and the templated "codes" dataset, as the run and pipeline suites start. */
export async function startWithBaseAndDataset(): Promise<{ t: TestApp; admin: string }> {
  const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  const admin = t.adminKey!;
  tinyBase(t);
  await importTemplatedDataset(t, admin, 'codes');
  return { t, admin };
}

/** "stage:status" for each stage of a run, in order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stagesOf = (run: Record<string, any>) => (run.stages as Array<{ name: string; status: string }>).map((s) => `${s.name}:${s.status}`);
