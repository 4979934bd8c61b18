import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCheckpoint } from '../checkpoint/checkpoint.loader';
import { MoeError } from '../moe.errors';
import { createBuilder } from '../onnx/architectures/builder.registry';
import { floatPlan, quantizedPlan } from '../onnx/decoder/weight-plan';
import { modeGroup, planQuantization, type QuantizationPlan } from '../quantize/quantization-plan';
import { hashCheckpoint } from './checkpoint-hash';
import { MANIFEST_FORMAT, MANIFEST_VERSION, MODEL_FILE, writeManifest, type ModelManifest } from './model-manifest';
import { accountWeights } from './weight-accounting';

export type ImportBits = 32 | 16 | 8 | 4 | 3 | 2;
export const IMPORT_BITS: readonly ImportBits[] = [32, 16, 8, 4, 3, 2];

export interface ImportOptions {
  bits: ImportBits;
  /**
   * Quantization group along K (32, 64 or 128) for every quantized tensor; ignored at 32 and 16 bits.
   * Default: DEFAULT_GROUP per kernel width (src/moe/quantize/quantization-plan.ts).
   */
  group?: number;
  /** Symmetric codes (no zero points). Default true. */
  symmetric?: boolean;
  /** How to realise 3 bits: a 2/4/8-bit mix (default) or 3-bit codes widened to 4-bit at load. */
  int3?: 'mix' | 'packed';
  /** ONNX Runtime contrib ops (default true); false builds a standard-ONNX graph. */
  contribOps?: boolean;
  /** Longest sequence the graph accepts. Default: the config's, capped at 32768. */
  maxPositions?: number;
  /** KV cache written in place ('shared', default) or concatenated each step; see DecoderBuildOptions. */
  kvCache?: 'shared' | 'concat';
  /** Replace an existing model folder at outDir. */
  overwrite?: boolean;
}

export type ImportStage = 'hash' | 'layers' | 'tokenizer' | 'done';
export type ImportProgress = (event: { stage: ImportStage; done: number; total: number }) => void;

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json'];

/**
 * Imports a Hugging Face MoE checkpoint into a model folder: model.onnx + model.onnx.data, the
 * tokenizer files, manifest.json. Weights are read and written layer by layer; the folder is built
 * beside outDir and renamed into place, so outDir is either the old model or the complete new one.
 */
export async function importModel(
  checkpointDir: string,
  outDir: string,
  options: ImportOptions,
  onProgress: ImportProgress = () => undefined,
): Promise<ModelManifest> {
  const bits = options.bits;
  if (!IMPORT_BITS.includes(bits)) throw new MoeError(`--bits ${String(bits)} is not supported: use 32, 16, 8, 4, 3 or 2`);
  const target = path.resolve(outDir);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0 && !options.overwrite) {
    throw new MoeError(`${target} already exists and is not empty; choose another --out or remove it`);
  }
  const checkpoint = openCheckpoint(checkpointDir);
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const { config } = checkpoint;
    const group = options.group;
    const symmetric = options.symmetric ?? true;
    const quantization: QuantizationPlan | null =
      bits === 32 || bits === 16 ? null : planQuantization(config, { bits, group, symmetric, int3: options.int3 });
    const sha256 = hashCheckpoint(checkpointDir, (done, total) => onProgress({ stage: 'hash', done, total }));
    const contribOps = options.contribOps ?? true;
    const maxPositions = options.maxPositions ?? Math.min(config.maxPositionEmbeddings, 32768);
    const built = createBuilder(config, checkpoint.weights, {
      contribOps,
      maxPositions,
      kvCache: options.kvCache,
      plan: quantization ? quantizedPlan(quantization) : floatPlan(bits as 32 | 16),
      onLayer: (done, total) => onProgress({ stage: 'layers', done, total }),
    }).build(staging);
    const tokenizerFiles = TOKENIZER_FILES.filter((f) => fs.existsSync(path.join(checkpointDir, f)));
    for (const f of tokenizerFiles) fs.copyFileSync(path.join(checkpointDir, f), path.join(staging, f));
    onProgress({ stage: 'tokenizer', done: tokenizerFiles.length, total: tokenizerFiles.length });
    const accounting = accountWeights(config, bits, quantization);
    const manifest: ModelManifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      architecture: config.architecture,
      config,
      weights: {
        bits,
        group: quantization ? modeGroup(quantization.mode) : null,
        symmetric: quantization ? symmetric : null,
        int3: bits === 3 ? (options.int3 ?? 'mix') : null,
        ...accounting,
        fileBytes: built.bytes,
      },
      graph: { file: MODEL_FILE, dataFile: path.basename(built.dataPath), contribOps, maxPositions },
      source: { path: path.resolve(checkpointDir), sha256 },
      tokenizerFiles,
      created: new Date().toISOString(),
    };
    writeManifest(staging, manifest);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    onProgress({ stage: 'done', done: 1, total: 1 });
    return manifest;
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    checkpoint.close();
  }
}
