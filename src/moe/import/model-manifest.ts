import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MoeArchitecture, MoeConfig } from '../model/moe-config';
import { ModelFolderError } from './model-folder.errors';

export const MANIFEST_FILE = 'manifest.json';
export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FORMAT = 'zhiku-moe-onnx';
export const MANIFEST_VERSION = 1;

/** What an imported model folder holds; written last, so a folder with a manifest is complete. */
export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  architecture: MoeArchitecture;
  config: MoeConfig;
  weights: {
    /** The requested width: 32, 16, 8, 4, 3 or 2. */
    bits: number;
    /**
     * The group the import asked for, or else DEFAULT_GROUP of the mode's kernel width. 2-bit tensors,
     * and by default tensors whose K that group does not divide, use others (quantization-plan.ts).
     */
    group: number | null;
    symmetric: boolean | null;
    /** How 3 bits were realised: a 2/4/8 mix, or 3-bit codes widened to 4-bit at load. */
    int3: 'mix' | 'packed' | null;
    /** Average stored code width per tensor class (as the graph holds it). */
    bitsPerClass: Record<string, number>;
    /** Mean code width over all parameters. */
    averageBits: number;
    /** Weight bytes one decoded token reads once loaded (top-k experts, one embedding row). */
    decodeBytesPerToken: number;
    /** Size of model.onnx + model.onnx.data. */
    fileBytes: number;
  };
  graph: { file: string; dataFile: string; contribOps: boolean; maxPositions: number };
  source: { path: string; sha256: string };
  /** Tokenizer files copied from the checkpoint; empty when it had none (token ids only). */
  tokenizerFiles: string[];
  created: string;
}

export function writeManifest(dir: string, manifest: ModelManifest): void {
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/** Reads and checks a folder's manifest; every failure names the folder and what to do. */
export function readManifest(dir: string): ModelManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ModelFolderError(`${dir} is not a model folder; import one with \`zhiku model import CHECKPOINT --out DIR\``);
  }
  if (!fs.existsSync(file)) {
    throw new ModelFolderError(`${dir} has no ${MANIFEST_FILE}: it is not an imported model, or its import did not finish`);
  }
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelManifest;
  } catch (e) {
    throw new ModelFolderError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (manifest?.format !== MANIFEST_FORMAT) throw new ModelFolderError(`${file} is not a Zhiku model manifest`);
  if (manifest.formatVersion > MANIFEST_VERSION) {
    throw new ModelFolderError(`${file} has format version ${manifest.formatVersion}; this Zhiku reads up to ${MANIFEST_VERSION}`);
  }
  for (const name of [manifest.graph?.file, manifest.graph?.dataFile]) {
    if (!name || !fs.existsSync(path.join(dir, name))) {
      throw new ModelFolderError(`${dir} is missing ${name ?? 'its graph'}; re-import the model`);
    }
  }
  return manifest;
}
