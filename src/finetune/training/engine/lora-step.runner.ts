import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MoeConfig } from '../../../moe/model/moe-config';
import type { ModelWeights } from '../../../moe/model/model-weights';
import type { InferenceSession, SessionOptions, SessionTensor } from '../../../moe/runtime/inference-session';
import { ExternalDataWriter } from '../../../moe/onnx/external-data.writer';
import { createOrtSession } from '../../../moe/runtime/onnxruntime.session';
import { TrainingOptionsError } from '../training.errors';
import { buildTrainingGraph, type TrainingGraph, type TrainingGraphOptions } from '../graph/training-graph.builder';
import { DROPOUT_RATE_INPUT, DROPOUT_SEED_INPUT } from '../graph/lora-dropout';
import type { BaseParameter } from '../graph/base-weights';
import type { LoraParameter } from '../lora/lora.options';

export interface TrainingBatch {
  /** [batch × seqLen] token ids, row-major. */
  inputIds: readonly number[];
  /** [batch × seqLen] targets, IGNORE_INDEX where the loss skips a position. */
  labels: readonly number[];
  /** Position of each token in its example (packed rows restart at 0); default 0..S-1 per row. */
  positionIds?: readonly number[];
  /** Example of each token within its row (attention stays inside one), 0 for padding; default 1 everywhere. */
  segmentIds?: readonly number[];
  /** Seed of this batch's LoRA dropout masks (an integer in [0, 2³¹)); the trainer sets one per micro-batch. */
  dropoutSeed?: number;
}

export interface StepResult {
  /** Mean cross-entropy over the labelled positions (the LM loss, without the auxiliary term). */
  loss: number;
  /** Load-balancing loss E·Σ f_e·P_e (unweighted; its weight in the gradients is routerAuxLossCoef). */
  auxLoss?: number;
  grads: Map<string, Float32Array>;
}

export interface StepOptions {
  /** Evaluation: dropout off (rate 0). Gradients are still computed; ignore them. */
  evaluate?: boolean;
}

/** A trained tensor as the runner feeds it: LoRA or base. */
export interface TrainedTensor {
  name: string;
  dims: readonly number[];
}

/**
 * Runs a training graph in ONNX Runtime: one call is one forward + backward over a batch, returning
 * the LM loss, the load-balancing loss and the gradient of every trained tensor (LoRA, and the base
 * weights the graph trains). The optimizer lives outside (AdamW in TypeScript), so the graph stays free
 * of state. The name stays from when it ran LoRA graphs only.
 */
export class LoraStepRunner {
  /** LoRA tensors, then trained base weights: everything step() needs a value for and returns a gradient of. */
  readonly trained: readonly TrainedTensor[];
  readonly params: readonly LoraParameter[];
  readonly base: readonly BaseParameter[];

  private constructor(
    private readonly session: InferenceSession,
    private readonly graph: Omit<TrainingGraph, 'bytes'>,
    private readonly batch: number,
    private readonly seqLen: number,
    private readonly dropoutRate: number,
    private readonly dir: string,
  ) {
    this.params = graph.params;
    this.base = graph.base;
    this.trained = [...graph.params, ...graph.base];
  }

  static async create(config: MoeConfig, weights: ModelWeights, options: TrainingGraphOptions, session: SessionOptions = {}): Promise<LoraStepRunner> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-train-'));
    const file = path.join(dir, 'train.onnx');
    try {
      // Frozen weights stream to an external data file as they are built, so the serialised graph
      // never holds a second copy of the model in memory.
      const writer = new ExternalDataWriter(path.join(dir, 'train.onnx.data'));
      let graph: TrainingGraph;
      try {
        graph = buildTrainingGraph(config, weights, options, writer);
      } finally {
        writer.close();
      }
      fs.writeFileSync(file, graph.bytes);
      // 'basic': at 8.7 M parameters (sparse experts) 'all' took 23.6 s to load against 6.1 s, for the same step time.
      const s = await createOrtSession(file, { intraOpThreads: 2, optimization: 'basic', ...session });
      const { bytes: _bytes, ...described } = graph;
      return new LoraStepRunner(s, described, options.batch, options.seqLen, options.lora?.dropout ?? 0, dir);
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  async step(batch: TrainingBatch, values: ReadonlyMap<string, Float32Array>, options: StepOptions = {}): Promise<StepResult> {
    const feeds: Record<string, SessionTensor> = {
      input_ids: this.ids('input ids', batch.inputIds),
      labels: this.ids('labels', batch.labels),
      position_ids: this.ids('position ids', batch.positionIds ?? Array.from({ length: this.batch * this.seqLen }, (_, i) => i % this.seqLen), this.seqLen),
      segment_ids: this.ids('segment ids', batch.segmentIds ?? new Array<number>(this.batch * this.seqLen).fill(1)),
    };
    if (this.graph.dropout) {
      const seed = batch.dropoutSeed ?? 0;
      if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31) throw new TrainingOptionsError(`the dropout seed must be an integer in [0, 2^31), got ${seed}`);
      feeds[DROPOUT_SEED_INPUT] = { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(seed)) };
      feeds[DROPOUT_RATE_INPUT] = { type: 'float32', dims: [], data: Float32Array.of(options.evaluate ? 0 : this.dropoutRate) };
    }
    for (const p of this.trained) {
      const v = values.get(p.name);
      if (!v || v.length !== p.dims.reduce((a, b) => a * b, 1)) throw new TrainingOptionsError(`trained tensor ${p.name} is missing or not ${p.dims.join('×')}`);
      feeds[p.name] = { type: 'float32', dims: [...p.dims], data: v };
    }
    const out = await this.session.run(feeds);
    const grads = new Map<string, Float32Array>();
    for (const p of this.trained) grads.set(p.name, Float32Array.from(out[`grad.${p.name}`].data as Float32Array));
    return { loss: (out.loss.data as Float32Array)[0], auxLoss: (out.aux_loss.data as Float32Array)[0], grads };
  }

  /** Weight of the auxiliary loss in the gradients. */
  get routerAuxLossCoef(): number {
    return this.graph.routerAuxLossCoef;
  }

  private ids(what: string, values: readonly number[], below?: number): SessionTensor {
    const n = this.batch * this.seqLen;
    if (values.length !== n) throw new TrainingOptionsError(`a batch must hold ${this.batch} × ${this.seqLen} = ${n} ${what}, got ${values.length}`);
    if (below !== undefined && values.some((v) => !(v >= 0 && v < below))) throw new TrainingOptionsError(`${what} must lie in [0, ${below})`);
    return { type: 'int64', dims: [this.batch, this.seqLen], data: BigInt64Array.from(values, BigInt) };
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
