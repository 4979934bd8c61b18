import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint, type OpenedCheckpoint } from '../../../moe/checkpoint/checkpoint.loader';
import type { MoeConfig } from '../../../moe/model/moe-config';
import { createRandomCheckpoint, type RandomCheckpointOptions } from '../../../moe/random/random-checkpoint';
import { ReferenceCausalLm } from '../../../moe/reference/reference.model';
import type { LoraStepRunner, TrainingBatch } from '../engine/lora-step.runner';
import { IGNORE_INDEX } from '../graph/training-losses';
import { seededRandom } from '../lora/lora.options';

/** A random checkpoint in a temporary folder, for specs; `close()` removes it. */
export function randomCheckpoint(options: RandomCheckpointOptions): OpenedCheckpoint & { dir: string; close(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-train-spec-'));
  createRandomCheckpoint(dir, options);
  const ckpt = openCheckpoint(dir);
  return {
    ...ckpt,
    dir,
    close: () => {
      ckpt.weights.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A batch of random ids with the first `prompt` positions of each row masked. */
export function randomBatch(vocab: number, batch: number, seqLen: number, seed: number, prompt = 3): TrainingBatch {
  const rand = seededRandom(seed);
  const inputIds = Array.from({ length: batch * seqLen }, () => Math.floor(rand() * vocab));
  const labels = inputIds.map((_, i) => (i % seqLen < prompt ? IGNORE_INDEX : Math.floor(rand() * vocab)));
  return { inputIds, labels };
}

/**
 * Mean cross-entropy of src/moe's reference forward pass over the labelled positions of a batch, each
 * segment of each row run as its own sequence (segments default to one per row).
 */
export async function referenceLoss(config: MoeConfig, ckpt: OpenedCheckpoint, batch: TrainingBatch, seqLen: number): Promise<number> {
  const model = new ReferenceCausalLm(config, ckpt.weights);
  let total = 0;
  let count = 0;
  for (let row = 0; row * seqLen < batch.inputIds.length; row++) {
    const at = (v: readonly number[] | undefined, t: number, fallback: number) => (v ? v[row * seqLen + t] : fallback);
    for (let t = 0; t < seqLen; ) {
      const segment = at(batch.segmentIds, t, 1);
      let end = t;
      while (end < seqLen && at(batch.segmentIds, end, 1) === segment) end++;
      model.reset();
      const ids = batch.inputIds.slice(row * seqLen + t, row * seqLen + end);
      const logits = await model.forward(ids, { allLogits: true });
      const V = config.vocabSize;
      for (let i = 0; i < ids.length; i++) {
        const label = batch.labels[row * seqLen + t + i];
        if (label === IGNORE_INDEX) continue;
        let max = -Infinity;
        for (let v = 0; v < V; v++) max = Math.max(max, logits[i * V + v]);
        let sum = 0;
        for (let v = 0; v < V; v++) sum += Math.exp(logits[i * V + v] - max);
        total += Math.log(sum) + max - logits[i * V + label];
        count++;
      }
      t = end;
    }
  }
  return total / Math.max(count, 1);
}

/**
 * Central differences of the runner's objective (loss + coef·aux) for chosen elements of one tensor,
 * in float32 as the graph runs; returns [analytic, numeric] pairs.
 */
export async function finiteDifferences(
  runner: LoraStepRunner,
  batch: TrainingBatch,
  values: Map<string, Float32Array>,
  name: string,
  indices: readonly number[],
  h = 1e-2,
): Promise<Array<[number, number]>> {
  const objective = async () => {
    const r = await runner.step(batch, values);
    return r.loss + runner.routerAuxLossCoef * (r.auxLoss ?? 0);
  };
  const analytic = (await runner.step(batch, values)).grads.get(name)!;
  const v = values.get(name)!;
  const out: Array<[number, number]> = [];
  for (const i of indices) {
    const keep = v[i];
    v[i] = keep + h;
    const up = await objective();
    v[i] = keep - h;
    const down = await objective();
    v[i] = keep;
    out.push([analytic[i], (up - down) / (2 * h)]);
  }
  return out;
}

/** Indices of the n largest |values|: where a finite difference is best conditioned. */
export function largestIndices(values: Float32Array, n: number): number[] {
  return Array.from(values.keys())
    .sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]))
    .slice(0, n);
}

/** Every pair agrees to `abs + rel·|numeric|`. */
export function expectClose(pairs: ReadonlyArray<[number, number]>, rel = 2e-2, abs = 1e-3): void {
  const bad = pairs.filter(([a, n]) => !(Math.abs(a - n) <= abs + rel * Math.abs(n)));
  if (bad.length) throw new Error(`analytic vs numeric gradients disagree: ${JSON.stringify(bad)}`);
}
