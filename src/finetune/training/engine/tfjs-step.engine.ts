import * as tf from '@tensorflow/tfjs';
import type { MoeConfig } from '../../../moe/model/moe-config';
import type { ExpertWeightName, GlobalWeightName, LayerWeightName, ModelWeights, Tensor } from '../../../moe/model/model-weights';
import type { BaseParameter } from '../graph/base-weights';
import type { TrainingGraphOptions } from '../graph/training-graph.builder';
import { loraParameters, type LoraParameter } from '../lora/lora.options';
import { TfjsLoraReference } from '../reference/lora-reference.tfjs';
import { TrainingOptionsError } from '../training.errors';
import type { StepResult, TrainedTensor, TrainingBatch } from './lora-step.runner';

/** Which TensorFlow.js backend trains: libtensorflow through tfjs-node(-gpu), or the pure-JS CPU kernels. */
export type TfjsBackend = 'tensorflow' | 'cpu';

/**
 * Seconds per (token × parameter) of one forward + backward step of TfjsLoraReference on the pure-JS
 * CPU backend, measured here (docs/finetune-training.md, "--engine tfjs"): the reference runs every
 * expert on every token, so the cost follows tokens × all parameters.
 */
export const TFJS_CPU_SECONDS_PER_PARAM_TOKEN = 1.2e-8;
/** Above this estimated step time the pure-JS backend is refused: a run of a few hundred steps would take hours. */
export const TFJS_CPU_MAX_STEP_SECONDS = 60;

/** Total parameters of a Mixtral-style config (embeddings, attention, routers, experts, LM head). */
export function mixtralParameterCount(c: MoeConfig): number {
  const h = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const perLayer = 2 * h * q + 2 * h * kv + h * c.moe.numExperts + 3 * c.moe.numExperts * h * c.moe.intermediateSize + 2 * h;
  return c.numLayers * perLayer + c.vocabSize * h * (c.tieWordEmbeddings ? 1 : 2) + h;
}

/** The tfjs-node package that would give TensorFlow.js its native backend, when one is installed. */
export function tfjsNodePackage(): string | null {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
      return pkg;
    } catch {
      // not installed: try the next
    }
  }
  return null;
}

/** Estimated seconds of one step on the pure-JS CPU backend (see TFJS_CPU_SECONDS_PER_PARAM_TOKEN). */
export function tfjsCpuStepSeconds(config: MoeConfig, batch: number, seqLen: number): number {
  return mixtralParameterCount(config) * batch * seqLen * TFJS_CPU_SECONDS_PER_PARAM_TOKEN;
}

/**
 * What the TensorFlow.js engine does not cover, as sentences a user can act on; empty when it can
 * train. It is the independent reference model (Mixtral-style layers, LoRA on frozen weights), not a
 * second implementation of every architecture. With batch and seqLen, a step the pure-JS CPU backend
 * would spend minutes on is refused too (when no tfjs-node package is installed).
 */
export function tfjsEngineLimits(
  config: MoeConfig,
  options: Pick<TrainingGraphOptions, 'lora' | 'base' | 'routerAuxLossCoef'> & { batch?: number; seqLen?: number },
): string[] {
  const out: string[] = [];
  const arch: string[] = [];
  if (config.attentionBias) arch.push('q/k/v biases');
  if (config.qkNorm) arch.push('q/k normalisation');
  if (config.moe.sharedExpert) arch.push('a shared expert');
  if (config.layerKinds.some((k) => k === 'dense')) arch.push('dense MLP layers');
  if (config.moe.scoring !== 'softmax-then-topk') arch.push('top-k-then-softmax routing');
  if (config.moe.routedScalingFactor !== 1) arch.push('a routed scaling factor');
  if (arch.length > 0) out.push(`the tfjs engine trains Mixtral-style models only; this model has ${arch.join(', ')} (use the onnxruntime engine)`);
  if (!options.lora) out.push('the tfjs engine trains LoRA adapters only');
  if ((options.lora?.dropout ?? 0) > 0) out.push('the tfjs engine has no LoRA dropout (set dropout to 0, or use the onnxruntime engine)');
  if ((options.base ?? 'frozen') !== 'frozen' || (options.routerAuxLossCoef ?? 0) > 0) out.push('the tfjs engine keeps the router frozen (no router training or load-balancing loss; use the onnxruntime engine)');
  if (options.batch !== undefined && options.seqLen !== undefined && !tfjsNodePackage()) {
    const slow = tfjsCpuSizeProblem(config, options.batch, options.seqLen);
    if (slow) out.push(slow);
  }
  return out;
}

/** Why a step is too big for the pure-JS CPU backend, or null when it fits in TFJS_CPU_MAX_STEP_SECONDS. */
export function tfjsCpuSizeProblem(config: MoeConfig, batch: number, seqLen: number): string | null {
  const seconds = tfjsCpuStepSeconds(config, batch, seqLen);
  if (seconds <= TFJS_CPU_MAX_STEP_SECONDS) return null;
  return (
    `the tfjs engine runs on its pure-JavaScript CPU backend here (neither @tensorflow/tfjs-node nor @tensorflow/tfjs-node-gpu loads), ` +
    `where one step of this model (${(mixtralParameterCount(config) / 1e6).toFixed(1)} M parameters, ${batch} × ${seqLen} tokens) would take about ` +
    `${Math.round(seconds)} s; the limit is ${TFJS_CPU_MAX_STEP_SECONDS} s. Install @tensorflow/tfjs-node(-gpu), use a smaller batch or sequence length, or use the onnxruntime engine`
  );
}

/**
 * Loads the fastest TensorFlow.js backend installed: tfjs-node-gpu, then tfjs-node (both register
 * the 'tensorflow' backend with the @tensorflow/tfjs they depend on), else the pure-JS CPU backend.
 */
export async function loadTfjsBackend(): Promise<TfjsBackend> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require(pkg);
    } catch {
      continue;
    }
    if (tf.findBackend('tensorflow') && (await tf.setBackend('tensorflow'))) return 'tensorflow';
  }
  await tf.setBackend('cpu');
  return 'cpu';
}

/**
 * Trains with TensorFlow.js autodiff (`zhiku finetune run --engine tfjs`): the same step contract as
 * LoraStepRunner (loss, aux loss, LoRA gradients, packed rows), computed by TfjsLoraReference. The
 * optimizer, schedule and checkpoints are the run loop's, shared with the ONNX Runtime engine, so both
 * engines give the same loss curve for the same run.
 */
export class TfjsStepEngine {
  readonly params: readonly LoraParameter[];
  readonly base: readonly BaseParameter[] = [];
  readonly trained: readonly TrainedTensor[];
  readonly routerAuxLossCoef = 0;

  private constructor(
    private readonly model: TfjsLoraReference,
    params: readonly LoraParameter[],
    readonly backend: TfjsBackend,
  ) {
    this.params = params;
    this.trained = params;
  }

  static async create(config: MoeConfig, weights: ModelWeights, options: TrainingGraphOptions): Promise<TfjsStepEngine> {
    const limits = tfjsEngineLimits(config, options);
    if (limits.length > 0 || !options.lora) throw new TrainingOptionsError(limits.join('; '));
    const backend = await loadTfjsBackend();
    // An installed tfjs-node that fails to load (no libtensorflow for this machine) lands here too.
    const slow = backend === 'cpu' ? tfjsCpuSizeProblem(config, options.batch, options.seqLen) : null;
    if (slow) throw new TrainingOptionsError(slow);
    const params = loraParameters(config, options.lora);
    // The caller may close the checkpoint once the engine exists (as it does for the ONNX runner, whose
    // graph holds the weights), so every tensor the model reads is read now.
    return new TfjsStepEngine(new TfjsLoraReference(config, materialized(config, weights), options.lora, params, options.batch, options.seqLen), params, backend);
  }

  step(batch: TrainingBatch, values: ReadonlyMap<string, Float32Array>): StepResult {
    for (const p of this.params) {
      const v = values.get(p.name);
      if (!v || v.length !== p.dims[0] * p.dims[1]) throw new TrainingOptionsError(`trained tensor ${p.name} is missing or not ${p.dims.join('×')}`);
    }
    return this.model.step(batch, values);
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}

/** Every tensor a Mixtral-style model reads, copied out of the checkpoint into memory. */
function materialized(config: MoeConfig, weights: ModelWeights): ModelWeights {
  const read = (t: Tensor): Tensor => ({ shape: [...t.shape], data: Float32Array.from(t.data) });
  const globals = new Map<GlobalWeightName, Tensor>((['embed_tokens', 'final_norm', 'lm_head'] as const).map((n) => [n, read(weights.global(n))]));
  const layers = new Map<string, Tensor>();
  const experts = new Map<string, Tensor>();
  const layerNames: LayerWeightName[] = ['input_norm', 'post_attention_norm', 'q_proj', 'k_proj', 'v_proj', 'o_proj', 'router'];
  for (let l = 0; l < config.numLayers; l++) {
    for (const n of layerNames) layers.set(`${l}.${n}`, read(weights.layer(l, n)));
    for (let e = 0; e < config.moe.numExperts; e++) for (const n of ['gate_proj', 'up_proj', 'down_proj'] as const) experts.set(`${l}.${e}.${n}`, read(weights.expert(l, e, n)));
  }
  const get = <K>(m: Map<K, Tensor>, key: K, what: string): Tensor => {
    const t = m.get(key);
    if (!t) throw new TrainingOptionsError(`the tfjs engine did not load ${what}`);
    return t;
  };
  return {
    global: (n) => get(globals, n, n),
    layer: (l, n) => get(layers, `${l}.${n}`, `layer ${l} ${n}`),
    hasLayer: (l, n) => layers.has(`${l}.${n}`),
    expert: (l, e, n: ExpertWeightName) => get(experts, `${l}.${e}.${n}`, `layer ${l} expert ${e} ${n}`),
    close: () => undefined,
  };
}
