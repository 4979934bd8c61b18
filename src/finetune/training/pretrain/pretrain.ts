import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint } from '../../../moe/checkpoint/checkpoint.loader';
import { MoeError } from '../../../moe/moe.errors';
import { createRandomCheckpoint, type RandomCheckpointOptions } from '../../../moe/random/random-checkpoint';
import { Tokenizer } from '../../../moe/tokenizer/tokenizer';
import { LoraStepRunner, type TrainingBatch } from '../engine/lora-step.runner';
import { LoraTrainer, type StepRecord } from '../engine/lora.trainer';
import { baseParameterValues } from '../graph/base-weights';
import { seededRandom } from '../lora/lora.options';
import { TrainingOptionsError } from '../training.errors';
import { holdOut, readCorpus } from './corpus';
import { trainCorpusTokenizer } from './corpus-tokenizer';
import { writeHfCheckpoint } from './hf-checkpoint.writer';

/** The model's shape as random checkpoints take it (arch, layers, hidden, experts, …, seed). */
type ModelShape = Pick<RandomCheckpointOptions, 'arch' | 'layers' | 'hidden' | 'intermediate' | 'experts' | 'topK' | 'heads' | 'kvHeads' | 'seed'>;

export interface PretrainOptions extends ModelShape {
  /** Folder of .txt / .md documents (searched recursively). */
  textDir: string;
  /** The Hugging Face folder to write; must not exist or be empty. */
  outDir: string;
  /** Tokenizer vocabulary, bytes and specials included (smaller when the corpus cannot fill it). */
  vocab?: number;
  steps?: number;
  seqLen?: number;
  batch?: number;
  /** Peak learning rate of the cosine schedule (10% linear warm-up). */
  lr?: number;
  /** Share of documents held out to measure the loss before and after (default 0.1). */
  heldOutFraction?: number;
  routerAuxLossCoef?: number;
  onStep?: (record: StepRecord) => void;
}

export interface PretrainResult {
  outDir: string;
  parameters: number;
  vocabSize: number;
  trainTokens: number;
  heldOutTokens: number;
  steps: number;
  firstLoss: number;
  lastLoss: number;
  /** Mean loss on held-out windows before training (random weights) and after; null without held-out text. */
  heldOutLossBefore: number | null;
  heldOutLossAfter: number | null;
  seconds: number;
  tokensPerSecond: number;
}

const DEFAULTS = { layers: 2, hidden: 128, intermediate: 256, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 2048, steps: 200, seqLen: 64, batch: 8, lr: 3e-3, seed: 0, heldOutFraction: 0.1 };
/** Held-out windows scored before and after: at most this many batches. */
const EVAL_BATCHES = 8;

/**
 * Pretrains a small MoE from scratch on a text corpus with the training engine in full-parameter mode
 * (every weight trained, the load-balancing loss on), and writes a Hugging Face folder that src/moe's
 * importModel imports and quantizes: a byte-level BPE tokenizer learned from the corpus, config.json,
 * model.safetensors, tokenizer_config.json with a ChatML template. Initial weights are src/moe's random
 * checkpoint of the same shape (scaled by 1/√fan-in).
 */
export async function pretrain(options: PretrainOptions): Promise<PretrainResult> {
  const o = { ...DEFAULTS, ...options };
  const started = Date.now();
  const target = path.resolve(o.outDir);
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0)) {
    throw new TrainingOptionsError(`${target} already exists and is not an empty folder; choose another --out`);
  }
  const { train, heldOut } = holdOut(readCorpus(o.textDir), o.heldOutFraction);
  const tokenizerFiles = trainCorpusTokenizer(train, o.vocab);
  const tokenizer = new Tokenizer(tokenizerFiles.tokenizer);
  const endOfText = tokenizer.tokenToId('<|endoftext|>')!;
  const stream = (docs: string[]) => docs.flatMap((d) => [...tokenizer.encode(d), endOfText]);
  const trainIds = stream(train);
  const heldOutIds = stream(heldOut);
  if (trainIds.length < o.seqLen + 1) throw new TrainingOptionsError(`the corpus has ${trainIds.length} training tokens, fewer than one sequence of ${o.seqLen + 1}; add text or lower --seq-len`);

  const initDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-pretrain-'));
  try {
    const { layers, hidden, intermediate, experts, topK, heads, kvHeads, seed } = o;
    try {
      createRandomCheckpoint(initDir, { arch: o.arch, layers, hidden, intermediate, experts, topK, heads, kvHeads, vocab: tokenizer.vocabSize, seed });
    } catch (error) {
      // The shape checks (heads divide hidden, top-k ≤ experts, ...) are src/moe's; to the caller they are bad options.
      if (error instanceof MoeError) throw new TrainingOptionsError(error.message);
      throw error;
    }
    const hfConfig = JSON.parse(fs.readFileSync(path.join(initDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    Object.assign(hfConfig, {
      bos_token_id: tokenizerFiles.bosTokenId,
      eos_token_id: tokenizerFiles.eosTokenIds.length === 1 ? tokenizerFiles.eosTokenIds[0] : tokenizerFiles.eosTokenIds,
      max_position_embeddings: Math.max(o.seqLen, 2048),
      _comment: `pretrained by zhiku finetune pretrain: ${o.steps} steps of ${o.batch}×${o.seqLen} tokens, seed ${seed}`,
    });
    const ckpt = openCheckpoint(initDir);
    const runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { batch: o.batch, seqLen: o.seqLen, base: 'full', routerAuxLossCoef: o.routerAuxLossCoef });
    try {
      const values = baseParameterValues(ckpt.weights, runner.base);
      const evalBatches = heldOutWindows(heldOutIds, o.batch, o.seqLen, EVAL_BATCHES);
      const evaluate = async () => {
        if (evalBatches.length === 0) return null;
        const losses: number[] = [];
        for (const b of evalBatches) losses.push((await runner.step(b, values, { evaluate: true })).loss);
        return losses.reduce((a, b) => a + b, 0) / losses.length;
      };
      const heldOutLossBefore = await evaluate();
      const rand = seededRandom(seed + 1);
      const nextBatch = (): TrainingBatch => {
        const inputIds: number[] = [];
        const labels: number[] = [];
        for (let b = 0; b < o.batch; b++) {
          const at = Math.floor(rand() * (trainIds.length - o.seqLen));
          inputIds.push(...trainIds.slice(at, at + o.seqLen));
          labels.push(...trainIds.slice(at + 1, at + o.seqLen + 1));
        }
        return { inputIds, labels };
      };
      const trainStarted = Date.now();
      const history = await new LoraTrainer(runner, {
        steps: o.steps,
        peakLr: o.lr,
        warmupSteps: Math.max(1, Math.round(o.steps / 10)),
        maxGradNorm: 1,
        adamw: { beta2: 0.95, weightDecay: 0.01 },
        seed,
      }).train(values, nextBatch, o.onStep);
      const trainSeconds = (Date.now() - trainStarted) / 1000;
      const heldOutLossAfter = await evaluate();
      writeHfCheckpoint(o.outDir, o.arch, hfConfig, runner.base, values, tokenizerFiles);
      return {
        outDir: path.resolve(o.outDir),
        parameters: runner.base.reduce((n, p) => n + p.dims.reduce((a, b) => a * b, 1), 0),
        vocabSize: tokenizer.vocabSize,
        trainTokens: trainIds.length,
        heldOutTokens: heldOutIds.length,
        steps: history.length,
        firstLoss: history[0].loss,
        lastLoss: history[history.length - 1].loss,
        heldOutLossBefore,
        heldOutLossAfter,
        seconds: (Date.now() - started) / 1000,
        tokensPerSecond: (o.steps * o.batch * o.seqLen) / trainSeconds,
      };
    } finally {
      await runner.dispose();
      ckpt.weights.close();
    }
  } finally {
    fs.rmSync(initDir, { recursive: true, force: true });
  }
}

/** Consecutive, non-overlapping windows of seqLen + 1 tokens, as batches; an incomplete batch is dropped. */
export function heldOutWindows(ids: readonly number[], batch: number, seqLen: number, maxBatches: number): TrainingBatch[] {
  const out: TrainingBatch[] = [];
  for (let at = 0; out.length < maxBatches && at + batch * (seqLen + 1) <= ids.length; ) {
    const inputIds: number[] = [];
    const labels: number[] = [];
    for (let b = 0; b < batch; b++, at += seqLen + 1) {
      inputIds.push(...ids.slice(at, at + seqLen));
      labels.push(...ids.slice(at + 1, at + seqLen + 1));
    }
    out.push({ inputIds, labels });
  }
  return out;
}
