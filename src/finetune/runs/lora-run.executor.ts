import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InvalidInputError } from '../../common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { ChatTemplate, openCheckpoint, Tokenizer, type MoeConfig } from '../../moe';
import { DatasetsService, type StoredRecord } from '../datasets';
import { adapterFromTraining, baseTensorsOf, writePeftAdapter } from '../export';
import { baseParameterValues, buildSftExamples, initLoraParameters, LoraStepRunner, TfjsStepEngine, TrainingError, type SftExample, type TrainingGraphOptions } from '../training';
import { packedBatches, trainingBatches } from './batches';
import { FinetuneRunsRepository } from './finetune-runs.repository';
import { runLoraLoop, validationLoss, type LoopEnd } from './lora-run.loop';
import { loadCheckpoint, saveCheckpoint, type TrainingState } from './run-checkpoint';
import type { RunProgress, RunRecord } from './run.record';

/** What training hands to the later stages. */
export interface TrainOutcome {
  end: LoopEnd;
  adapter: string;
  steps: number;
  trainLossFirst: number | null;
  trainLossLast: number | null;
  valLossBefore: number | null;
  valLossAfter: number | null;
  bestStep: number | null;
  resumedFromStep: number | null;
  trainExamples: number;
  validationExamples: number;
  /** Records the chat template or the length limit refused, by split and position in it. */
  rejected: Array<{ split: 'train' | 'validation'; record: number; reason: string }>;
}

/** Training data that will repeat the same way on a retry: the run fails without another attempt. */
export class RunInputError extends InvalidInputError {
  override name = 'RunInputError';
}

/** The folder of a run's checkpoint, adapter and merged model (inside the models directory, so the merged model can be imported). */
export function runDir(config: AppConfig, runId: string): string {
  return path.join(config.modelsDir, 'finetune', runId);
}

/**
 * The train stage of a run: dataset version → SFT examples with the base's chat template → LoRA on
 * the ONNX Runtime training graph, progress per step in the database, a checkpoint every N steps
 * (resumed from after a restart), then the PEFT adapter of the best (or last) values.
 */
@Injectable()
export class LoraRunExecutor {
  private readonly logger = new Logger('Finetune');

  constructor(
    private readonly repo: FinetuneRunsRepository,
    private readonly datasets: DatasetsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async train(run: RunRecord, signal: AbortSignal, report: (percent: number, message: string) => Promise<void>): Promise<TrainOutcome> {
    const p = run.params;
    const dir = runDir(this.config, run.id);
    const { records } = await this.datasets.versionRecords(run.datasetName, { version: run.datasetVersion });
    const train = records.filter((r) => r.split !== 'validation');
    const validation = records.filter((r) => r.split === 'validation');

    const checkpoint = openCheckpoint(run.baseCheckpoint);
    let runner: LoraStepRunner | TfjsStepEngine;
    let examples: { train: SftExample[]; validation: SftExample[]; rejected: TrainOutcome['rejected'] };
    let seqLen: number;
    let config: MoeConfig;
    let baseValues: Map<string, Float32Array>;
    try {
      config = checkpoint.config;
      seqLen = Math.min(p.seqLen, config.maxPositionEmbeddings);
      examples = this.examples(checkpoint.tokenizerPath, run.baseCheckpoint, train, validation, seqLen);
      const graph: TrainingGraphOptions = {
        lora: { rank: p.rank, alpha: p.alpha, targets: p.targets, dropout: p.dropout },
        batch: p.batchSize,
        seqLen,
        base: p.trainRouter ? 'router' : 'frozen',
        routerAuxLossCoef: p.routerAuxLossCoef,
      };
      // Runs stored before the engine was a parameter have none: they trained on ONNX Runtime.
      if (p.engine === 'tfjs') {
        const tfjs = await TfjsStepEngine.create(config, checkpoint.weights, graph);
        if (tfjs.backend === 'cpu') this.logger.warn({ msg: 'fine-tune on the pure-JavaScript TensorFlow.js backend (slow: install @tensorflow/tfjs-node or -gpu)', runId: run.id });
        runner = tfjs;
      } else runner = await LoraStepRunner.create(config, checkpoint.weights, graph);
      // Trained routers start from the base's values (read while the checkpoint is open).
      baseValues = baseParameterValues(checkpoint.weights, runner.base);
    } catch (e) {
      if (e instanceof TrainingError) throw new RunInputError(e.message);
      throw e;
    } finally {
      checkpoint.close();
    }
    try {
      const padId = config.eosTokenIds[0] ?? 0;
      const nextBatch = trainingBatches(examples.train, p.batchSize, seqLen, padId, p.seed);
      const valBatches = packedBatches(examples.validation, p.batchSize, seqLen, padId);
      const fresh = (): TrainingState => ({ step: 0, values: new Map([...initLoraParameters(runner.params, p.seed), ...baseValues]), optimizer: { step: 0, m: new Map(), v: new Map() }, bestValLoss: null, bestStep: null, badEvals: 0, best: null });
      const saved = loadCheckpoint(dir);
      const state = saved ?? fresh();
      const resumedFromStep = saved ? saved.step : null;
      if (saved) this.logger.log({ msg: 'fine-tune resumed', runId: run.id, step: saved.step });
      await this.repo.truncateSteps(run.id, state.step);
      // B starts at zero, so fresh values compute the base model's loss: the "before" figure.
      const valLossBefore = valBatches.length > 0 ? await validationLoss(runner, fresh().values, valBatches) : null;
      let bestValLoss = state.bestValLoss;
      const end = await runLoraLoop(runner, p, state, nextBatch, valBatches, {
        signal,
        onStep: async (step, s) => {
          bestValLoss = s.bestValLoss;
          const progress: RunProgress = { ...step, totalSteps: p.steps, bestValLoss, resumedFromStep, stoppedEarly: false };
          await this.repo.recordStep(run.id, step, progress);
          await report((100 * step.step) / p.steps, `step ${step.step}/${p.steps} loss ${step.loss.toFixed(4)}${step.valLoss !== null ? ` val ${step.valLoss.toFixed(4)}` : ''}`);
        },
        onCheckpoint: async (s) => {
          saveCheckpoint(dir, s);
        },
      });
      if (end === 'aborted') throw new Error(`training stopped at step ${state.step} (checkpoint kept)`);
      const final = state.best ?? state.values;
      const valLossAfter = valBatches.length > 0 ? await validationLoss(runner, final, valBatches) : null;
      const adapter = path.join(dir, 'adapter');
      const base = openCheckpoint(run.baseCheckpoint);
      try {
        writePeftAdapter(adapter, adapterFromTraining(baseTensorsOf(base), { rank: p.rank, alpha: p.alpha, dropout: p.dropout, values: final, base: runner.base }, run.baseModel));
      } finally {
        base.close();
      }
      const history = await this.repo.steps(run.id);
      const latest = (await this.repo.get(run.id))?.progress;
      if (end === 'early-stopped' && latest) await this.repo.setProgress(run.id, { ...latest, stoppedEarly: true });
      return {
        end,
        adapter,
        steps: state.step,
        trainLossFirst: history[0]?.loss ?? null,
        trainLossLast: history[history.length - 1]?.loss ?? null,
        valLossBefore,
        valLossAfter,
        bestStep: state.bestStep,
        resumedFromStep,
        trainExamples: examples.train.length,
        validationExamples: examples.validation.length,
        rejected: examples.rejected,
      };
    } finally {
      await runner.dispose();
    }
  }

  private examples(tokenizerPath: string | null, dir: string, train: StoredRecord[], validation: StoredRecord[], seqLen: number) {
    if (!tokenizerPath) throw new RunInputError(`the base checkpoint ${dir} has no tokenizer.json; supervised fine-tuning needs the model's tokenizer`);
    const template = ChatTemplate.fromDir(dir);
    if (!template) throw new RunInputError(`the base checkpoint ${dir} has no chat template in tokenizer_config.json; supervised fine-tuning renders records with it`);
    const tokenizer = Tokenizer.fromFile(tokenizerPath);
    const t = buildSftExamples(train, tokenizer, template, { maxLength: seqLen });
    const v = buildSftExamples(validation, tokenizer, template, { maxLength: seqLen });
    if (t.examples.length === 0) {
      throw new RunInputError(`no training record could be encoded (${t.rejected.length} refused; first: ${t.rejected[0]?.reason ?? 'none'})`);
    }
    return { train: t.examples, validation: v.examples, rejected: [...t.rejected.map((r) => ({ split: 'train' as const, ...r })), ...v.rejected.map((r) => ({ split: 'validation' as const, ...r }))] };
  }
}
