import * as path from 'node:path';
import type { ModelManifest } from '../import/model-manifest';
import { readManifest } from '../import/model-manifest';
import type { SessionFactory, SessionOptions } from './inference-session';
import { OnnxCausalLm } from './onnx-causal-lm';
import { createOrtSession } from './onnxruntime.session';

export interface OpenedModel {
  dir: string;
  manifest: ModelManifest;
  lm: OnnxCausalLm;
  /** tokenizer.json in the folder, or null (the model then takes token ids only). */
  tokenizerPath: string | null;
  tokenizerConfigPath: string | null;
}

/** Opens an imported model folder as a CausalLm on the configured execution provider. */
export async function openModel(
  dir: string,
  options: SessionOptions = {},
  createSession: SessionFactory = createOrtSession,
): Promise<OpenedModel> {
  const manifest = readManifest(dir);
  const session = await createSession(path.join(dir, manifest.graph.file), options);
  const file = (name: string) => (manifest.tokenizerFiles.includes(name) ? path.join(dir, name) : null);
  return {
    dir,
    manifest,
    lm: new OnnxCausalLm(manifest.config, session, manifest.graph.maxPositions),
    tokenizerPath: file('tokenizer.json'),
    tokenizerConfigPath: file('tokenizer_config.json'),
  };
}
