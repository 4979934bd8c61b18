import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelWeights } from '../../model/model-weights';
import type { MoeConfig } from '../../model/moe-config';
import { OnnxCausalLm } from '../../runtime/onnx-causal-lm';
import { createOrtSession } from '../../runtime/onnxruntime.session';
import { createBuilder } from '../architectures/builder.registry';
import type { BuiltModel, DecoderBuildOptions } from '../decoder/decoder.builder';

/** Builds a graph into a fresh temporary folder and opens it as a CausalLm (specs only). */
export async function buildAndLoad(
  config: MoeConfig,
  weights: ModelWeights,
  options: DecoderBuildOptions = {},
): Promise<{ lm: OnnxCausalLm; built: BuiltModel; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-onnx-'));
  const built = createBuilder(config, weights, options).build(dir);
  const lm = new OnnxCausalLm(
    config,
    await createOrtSession(built.modelPath, { intraOpThreads: 1 }),
    options.maxPositions ?? Math.min(config.maxPositionEmbeddings, 32768),
  );
  return { lm, built, dir };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** max |a-b| / max(1, max |b|): a relative bound that does not blow up near zero. */
export function relativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  return maxAbsDiff(a, b) / scale;
}
