import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCheckpoint, hashCheckpoint, type CausalLm, perplexityOfIds, type PerplexityResult, ReferenceCausalLm, type OpenedModel, Tokenizer } from '../../moe';
import { CommandFailedError, UsageError } from '../cli-errors';

/** Perplexity of a text file over non-overlapping windows (each starts a fresh sequence). */
export async function perplexity(model: OpenedModel, textFile: string, window: number): Promise<PerplexityResult> {
  if (!model.tokenizerPath) throw new UsageError(`${model.dir} has no tokenizer.json, so it cannot read text`);
  if (!fs.existsSync(textFile)) throw new UsageError(`no such file: ${textFile}`);
  const ids = Tokenizer.fromFile(model.tokenizerPath).encode(fs.readFileSync(textFile, 'utf8'), { addSpecialTokens: true });
  if (ids.length < 2) throw new CommandFailedError(`${textFile} has fewer than two tokens; perplexity needs at least two`);
  return perplexityOfIds(model.lm, ids, window);
}

export interface CheckResult {
  ok: boolean;
  bits: number;
  ids: number[];
  max_abs_diff: number;
  relative_diff: number;
  tolerance: number | null;
  top1_agreement: number;
}

/** Relative tolerance of the ONNX logits against the reference per stored width; null: reported only. */
const TOLERANCE: Record<number, number | null> = { 32: 1e-4, 16: 1e-2, 8: 5e-2, 4: null, 3: null, 2: null };

/**
 * Runs the TypeScript reference pass on the source checkpoint and the ONNX model on the same ids
 * and compares every position's logits. The checkpoint must still hash as it did at import.
 */
export async function checkAgainstReference(model: OpenedModel, ids: number[], checkpointDir?: string): Promise<CheckResult> {
  const source = checkpointDir ?? model.manifest.source.path;
  if (!fs.existsSync(path.join(source, 'config.json'))) {
    throw new UsageError(`the source checkpoint ${source} is gone; pass --checkpoint DIR to compare against a copy`);
  }
  if (hashCheckpoint(source) !== model.manifest.source.sha256) {
    throw new CommandFailedError(`${source} is not the checkpoint this model was imported from (sha-256 differs)`);
  }
  const checkpoint = openCheckpoint(source);
  const reference: CausalLm = new ReferenceCausalLm(checkpoint.config, checkpoint.weights);
  try {
    const expected = await reference.forward(ids, { allLogits: true });
    model.lm.reset();
    const actual = await model.lm.forward(ids, { allLogits: true });
    model.lm.reset();
    const vocab = model.manifest.config.vocabSize;
    let maxAbs = 0;
    let scale = 1;
    let agree = 0;
    for (let i = 0; i < expected.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    for (let t = 0; t < ids.length; t++) {
      if (argmax(actual.subarray(t * vocab, (t + 1) * vocab)) === argmax(expected.subarray(t * vocab, (t + 1) * vocab))) agree++;
    }
    const tolerance = TOLERANCE[model.manifest.weights.bits] ?? null;
    const relative = maxAbs / scale;
    return {
      ok: tolerance === null || relative <= tolerance,
      bits: model.manifest.weights.bits,
      ids,
      max_abs_diff: maxAbs,
      relative_diff: relative,
      tolerance,
      top1_agreement: agree / ids.length,
    };
  } finally {
    await reference.dispose();
  }
}

export function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
