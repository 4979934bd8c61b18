import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { JobContext } from '../../jobs';
import { openCheckpoint } from '../../moe';
import { DatasetsService } from '../datasets';
import { adapterLosses } from '../evaluation/adapter-loss';
import { evaluateRun } from '../evaluation/run-evaluator';
import { baseTensorsOf, mergeAdapter, readPeftAdapter } from '../export';
import { FinetuneRunsRepository } from '../runs/finetune-runs.repository';
import { LoraRunExecutor, runDir, type TrainOutcome } from '../runs/lora-run.executor';
import type { RunRecord, RunStage, StageName } from '../runs/run.record';
import { RegisterStage } from './register.stage';

/** What a stage returns: its result, or that it had nothing to do (and why). */
type StageOutcome = { result: Record<string, unknown>; skipped?: false } | { skipped: true; result: Record<string, unknown> };

/** Share of the job's progress bar per stage; training dominates. */
const WEIGHT: Record<StageName, number> = { train: 70, import: 5, merge: 5, evaluate: 15, quantize: 8, deploy: 2 };

/**
 * Carries a run through its stages in order, in its one job: each stage's status, times, error and
 * result are stored as it goes, so GET shows where the run is. A failed stage stops the chain with its
 * reason and leaves what earlier stages wrote in place; completed stages are not run again when a
 * restarted job resumes (training itself resumes from its checkpoint).
 */
@Injectable()
export class RunStagesService {
  private readonly logger = new Logger('Finetune');

  constructor(
    private readonly repo: FinetuneRunsRepository,
    private readonly executor: LoraRunExecutor,
    private readonly datasets: DatasetsService,
    private readonly register: RegisterStage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(runId: string, context: JobContext): Promise<{ runId: string; status: string; error?: string }> {
    const run = await this.repo.markRunning(runId);
    if (!run) return { runId, status: (await this.repo.get(runId))?.status ?? 'missing' };
    const stages = run.stages;
    const total = stages.reduce((s, st) => s + WEIGHT[st.name], 0);
    let done = 0;
    for (const stage of stages) {
      if (stage.status === 'completed' || stage.status === 'skipped') {
        done += WEIGHT[stage.name];
        continue;
      }
      Object.assign(stage, { status: 'running', startedAt: new Date().toISOString(), finishedAt: null, error: null });
      await this.repo.setStages(runId, stages);
      const before = done;
      const report = (percent: number, message: string) => context.progress(Math.round((100 * (before + (WEIGHT[stage.name] * percent) / 100)) / total), `${stage.name}: ${message}`);
      try {
        // Merge and quantize cannot be interrupted half-way; a cancel that came during one stops the chain before the next.
        if (context.signal.aborted) throw new Error(`stopped before ${stage.name}`);
        const outcome = await this.runStage(stage.name, (await this.repo.get(runId))!, stages, context.signal, report);
        Object.assign(stage, { status: outcome.skipped ? 'skipped' : 'completed', finishedAt: new Date().toISOString(), result: outcome.result });
        await this.repo.setStages(runId, stages);
        done += WEIGHT[stage.name];
      } catch (error) {
        const message = (error as Error).message;
        if (context.signal.aborted) {
          const cancelled = context.signal.reason === 'cancelled';
          // A shutdown puts the stage back: the next attempt runs it again (training from its checkpoint).
          Object.assign(stage, { status: cancelled ? 'cancelled' : 'pending', finishedAt: cancelled ? new Date().toISOString() : null, error: cancelled ? 'cancelled' : null });
          for (const later of stages) if (cancelled && later.status === 'pending') later.status = 'cancelled';
          await this.repo.setStages(runId, stages);
          if (cancelled) await this.repo.finish(runId, 'cancelled', `cancelled during ${stage.name}`);
          throw error;
        }
        Object.assign(stage, { status: 'failed', finishedAt: new Date().toISOString(), error: message });
        for (const later of stages) if (later.status === 'pending') later.status = 'skipped';
        await this.repo.setStages(runId, stages);
        const reason = `${stage.name} failed: ${message}`;
        await this.repo.finish(runId, 'failed', reason);
        this.logger.warn({ msg: 'fine-tune failed', runId, stage: stage.name, error: message });
        // Deterministic failures would repeat: the job completes and the run carries the reason.
        return { runId, status: 'failed', error: reason };
      }
    }
    await this.repo.finish(runId, 'completed', null);
    await context.progress(100, 'completed');
    this.logger.log({ msg: 'fine-tune completed', runId });
    return { runId, status: 'completed' };
  }

  private async runStage(name: StageName, run: RunRecord, stages: RunStage[], signal: AbortSignal, report: (percent: number, message: string) => Promise<void>): Promise<StageOutcome> {
    const dir = runDir(this.config, run.id);
    const trained = () => stages.find((s) => s.name === 'train' || s.name === 'import')?.result as unknown as TrainOutcome;
    switch (name) {
      case 'train': {
        const outcome = await this.executor.train(run, signal, report);
        await this.repo.addArtifacts(run.id, { dir, adapter: outcome.adapter });
        return { result: { ...outcome } };
      }
      case 'import': {
        // The adapter is copied into the run, so the run keeps what it merged even if the source goes.
        const adapter = path.join(dir, 'adapter');
        fs.rmSync(adapter, { recursive: true, force: true });
        fs.cpSync(run.pipeline!.adapter!, adapter, { recursive: true });
        await this.repo.addArtifacts(run.id, { dir, adapter });
        const outcome: Partial<TrainOutcome> = { adapter, steps: 0, trainLossFirst: null, trainLossLast: null, valLossBefore: null, valLossAfter: null };
        return { result: { ...outcome, importedFrom: run.pipeline!.adapter } };
      }
      case 'merge': {
        const merged = path.join(dir, 'merged');
        const base = openCheckpoint(run.baseCheckpoint);
        let adapter;
        try {
          // Read back from disk: the same path as an adapter trained elsewhere.
          adapter = readPeftAdapter(trained().adapter, baseTensorsOf(base));
        } finally {
          base.close();
        }
        const result = mergeAdapter(run.baseCheckpoint, merged, adapter, { overwrite: true });
        fs.writeFileSync(path.join(merged, 'zhiku_lineage.json'), JSON.stringify(lineage(run, trained()), null, 2) + '\n');
        await this.repo.addArtifacts(run.id, { merged });
        return { result: { ...result } };
      }
      case 'evaluate': {
        const { records } = await this.datasets.versionRecords(run.datasetName, { version: run.datasetVersion, split: 'validation' });
        if (records.length === 0) return { skipped: true, result: { reason: `dataset ${run.datasetName}@${run.datasetVersion} has no validation split; split it (POST /api/datasets/:ref/split) to evaluate` } };
        const t = trained();
        let losses = { before: t.valLossBefore, after: t.valLossAfter };
        let lossNote: string | null = null;
        if (run.pipeline?.adapter) {
          // An imported adapter has no training losses: compute them on the training graph.
          const base = openCheckpoint(run.baseCheckpoint);
          let adapter;
          try {
            adapter = readPeftAdapter(t.adapter, baseTensorsOf(base));
          } finally {
            base.close();
          }
          const computed = await adapterLosses(run.baseCheckpoint, adapter, records, run.params);
          if ('skipped' in computed) lossNote = `validation loss not computed: ${computed.skipped}`;
          else losses = computed;
        }
        const report = await evaluateRun({
          baseCheckpoint: run.baseCheckpoint,
          mergedCheckpoint: path.join(dir, 'merged'),
          validation: records,
          samples: run.params.evalSamples,
          maxNewTokens: run.params.maxNewTokens,
          valLossBefore: losses.before,
          valLossAfter: losses.after,
          workDir: dir,
          signal,
        });
        await this.repo.setEvaluation(run.id, report);
        return { result: { before: report.before, after: report.after, samples: report.samples, seconds: report.seconds, ...(lossNote ? { note: lossNote } : {}) } };
      }
      case 'quantize':
        return { result: await this.register.quantizeAndRegister(run, path.join(dir, 'merged'), lineage(run, trained()), report) };
      case 'deploy':
        if (!run.pipeline?.deploy) return { skipped: true, result: { reason: 'deploy was not asked for' } };
        return { result: await this.register.deploy(run) };
    }
  }
}

/** Where a fine-tuned model came from, written beside its weights and kept on the run. */
export function lineage(run: RunRecord, trained: TrainOutcome) {
  return {
    run: run.id,
    baseModel: run.baseModel,
    baseCheckpoint: run.baseCheckpoint,
    dataset: `${run.datasetName}@${run.datasetVersion}`,
    method: run.method,
    params: run.params,
    metrics: { trainLossFirst: trained.trainLossFirst, trainLossLast: trained.trainLossLast, valLossBefore: trained.valLossBefore, valLossAfter: trained.valLossAfter, steps: trained.steps },
  };
}
