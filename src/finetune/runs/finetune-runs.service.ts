import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuthContext } from '../../auth';
import { ConflictError, InvalidInputError, NotFoundError } from '../../common';
import { JobName, JobQueue } from '../../jobs';
import { DatasetsService } from '../datasets';
import { BaseModelResolver } from './base-model.resolver';
import { APP_CONFIG, type AppConfig } from '../../config';
import { ModelRegistryService } from '../../generator';
import { folderUnderModelsDir } from '../../generator/registry/model-paths';
import { openCheckpoint } from '../../moe';
import { baseTensorsOf, readPeftAdapter } from '../export';
import { mapRun, type CreatePipelineDto, type CreateRunDto, type ImportAdapterDto, type RunDto } from './dto/run.dto';
import { FinetuneRunsRepository } from './finetune-runs.repository';
import { runDir } from './lora-run.executor';
import { resolveRunParams, type RunParams } from './run-params';
import { tfjsEngineLimits } from '../training';
import { STAGE_NAMES, TERMINAL_RUN_STATUSES, type PipelineOptions, type RunKind, type RunRecord, type RunStage, type RunStep, type StageName } from './run.record';

const actor = (auth: AuthContext) => auth.keyName || auth.keyId;

/** The stages a run goes through: a plain run trains, writes adapter and merged model, evaluates; a pipeline goes on to quantize, register and deploy. */
const RUN_STAGES: StageName[] = ['train', 'merge', 'evaluate'];
const PIPELINE_STAGES: StageName[] = STAGE_NAMES.filter((s) => s !== 'import');
const IMPORT_STAGES: StageName[] = STAGE_NAMES.filter((s) => s !== 'train');
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Fine-tuning runs and pipelines: checks the request (parameters, base model, dataset version) at
 * once, stores the run and queues its one job. Training itself happens in the job (FinetuneRunHandler).
 */
@Injectable()
export class FinetuneRunsService {
  private readonly logger = new Logger('Finetune');

  constructor(
    private readonly repo: FinetuneRunsRepository,
    private readonly datasets: DatasetsService,
    private readonly bases: BaseModelResolver,
    private readonly jobs: JobQueue,
    private readonly registry: ModelRegistryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(auth: AuthContext, dto: CreateRunDto): Promise<RunDto> {
    return mapRun(await this.start(auth, dto, 'run', null, true));
  }

  async createPipeline(auth: AuthContext, dto: CreatePipelineDto): Promise<RunDto> {
    return mapRun(await this.start(auth, dto, 'pipeline', this.pipelineOptions(dto), true));
  }

  /**
   * A pipeline stored but not queued, for the CLI, which runs it in its own process (RunStagesService)
   * rather than leaving it to a server's queue. Checked exactly as over HTTP.
   */
  async createInline(auth: AuthContext, dto: CreatePipelineDto): Promise<RunRecord> {
    return this.start(auth, dto, 'pipeline', this.pipelineOptions(dto), false);
  }

  /**
   * An adapter trained elsewhere (LLaMA-Factory, PEFT) through the same pipeline, with `import` in place
   * of `train`: merged into its base, evaluated on the dataset version, quantized, registered. The
   * adapter is read against the base now, so one for another model is a 400, not a failed job.
   */
  async importAdapter(auth: AuthContext, dto: ImportAdapterDto): Promise<RunDto> {
    const adapter = folderUnderModelsDir(this.config.modelsDir, dto.adapter, 'adapter');
    const base = await this.bases.resolve(dto.baseModel);
    const checkpoint = openCheckpoint(base.checkpoint);
    try {
      readPeftAdapter(adapter, baseTensorsOf(checkpoint));
    } finally {
      checkpoint.close();
    }
    const request: CreatePipelineDto = { ...dto, method: 'lora', params: dto.params };
    return mapRun(await this.start(auth, request, 'pipeline', { ...this.pipelineOptions(request), adapter }, true));
  }

  private pipelineOptions(dto: CreatePipelineDto): PipelineOptions {
    if (!dto.quantize) throw new InvalidInputError('quantize is required: {bits: 4, group?: 64}', [{ field: 'quantize', messages: ['quantize is required'] }]);
    if (dto.modelName !== undefined && !MODEL_NAME.test(dto.modelName)) {
      throw new InvalidInputError('modelName must be 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit', [{ field: 'modelName', messages: ['bad name'] }]);
    }
    // No group given: the quantizer's default for the width (src/moe DEFAULT_GROUP), recorded by the register stage.
    return { quantize: { bits: dto.quantize.bits, group: dto.quantize.group ?? null }, deploy: dto.deploy ?? false, modelName: dto.modelName ?? null };
  }

  private async start(auth: AuthContext, dto: CreateRunDto, kind: RunKind, pipeline: PipelineOptions | null, enqueue: boolean): Promise<RunRecord> {
    if (dto.method !== 'lora') throw new InvalidInputError(`method must be "lora", got ${JSON.stringify(dto.method)}`, [{ field: 'method', messages: ['only lora'] }]);
    const params = resolveRunParams((dto.params ?? {}) as Record<string, unknown>);
    const base = await this.bases.resolve(dto.baseModel);
    if (params.engine === 'tfjs' && !pipeline?.adapter) this.checkTfjsEngine(base.checkpoint, params);
    if (pipeline && !pipeline.modelName && !MODEL_NAME.test(defaultModelName(base.defaultName))) {
      throw new InvalidInputError(`the base's name "${base.defaultName}" is not a usable model name; give modelName (letters, digits, ".", "_", "-")`, [{ field: 'modelName', messages: ['required for this base'] }]);
    }
    const dataset = await this.datasets.get(dto.dataset);
    const version = dto.datasetVersion ?? dataset.latestVersion;
    const row = dataset.versions.find((v) => v.version === version);
    if (!row) throw new NotFoundError(`dataset ${dataset.name} has no version ${version} (latest is ${dataset.latestVersion})`);
    if (row.recordCount === 0 || (row.trainCount === 0 && row.validationCount === row.recordCount)) {
      throw new InvalidInputError(`dataset ${dataset.name}@${version} has no training records`, [{ field: 'dataset', messages: ['no training records'] }]);
    }
    const stages: RunStage[] = (pipeline?.adapter ? IMPORT_STAGES : kind === 'pipeline' ? PIPELINE_STAGES : RUN_STAGES).map((name) => ({ name, status: 'pending', startedAt: null, finishedAt: null, error: null, result: null }));
    const run = await this.repo.insert({
      kind, baseModel: dto.baseModel, baseCheckpoint: base.checkpoint, baseModelId: base.model?.id ?? null,
      datasetId: dataset.id, datasetName: dataset.name, datasetVersion: version, method: 'lora', params,
      pipeline: pipeline && { ...pipeline, modelName: pipeline.modelName ?? defaultModelName(base.defaultName) },
      stages, createdBy: actor(auth),
    });
    if (!enqueue) return run;
    // Several attempts: a restart puts a running job back in the queue, and the next attempt resumes
    // from the last checkpoint. Errors that would repeat (bad data) end the run without a retry.
    const job = await this.jobs.enqueue(JobName.FinetuneRun, { runId: run.id }, { maxAttempts: 3, backoffMs: 2000 });
    await this.repo.setJob(run.id, job.id);
    this.logger.log({ msg: 'fine-tune queued', runId: run.id, kind, base: dto.baseModel, dataset: `${dataset.name}@${version}` });
    return { ...run, jobId: job.id };
  }

  /** The tfjs engine's refusals (architecture, dropout, router training, a step too slow on pure JS) as a 400 now, not a failed job. */
  private checkTfjsEngine(checkpoint: string, params: RunParams): void {
    const opened = openCheckpoint(checkpoint);
    try {
      const config = opened.config;
      const problems = tfjsEngineLimits(config, {
        lora: { rank: params.rank, alpha: params.alpha, targets: params.targets, dropout: params.dropout },
        base: params.trainRouter ? 'router' : 'frozen',
        routerAuxLossCoef: params.routerAuxLossCoef,
        batch: params.batchSize,
        seqLen: Math.min(params.seqLen, config.maxPositionEmbeddings),
      });
      if (problems.length > 0) throw new InvalidInputError(`params.engine tfjs cannot train this run: ${problems.join('; ')}`, [{ field: 'params.engine', messages: problems }]);
    } finally {
      opened.close();
    }
  }

  async list(kind: RunKind | null, limit = 50): Promise<RunDto[]> {
    return (await this.repo.list(kind, limit)).map((r) => mapRun(r));
  }

  async get(id: string, kind?: RunKind): Promise<RunDto> {
    const run = await this.load(id, kind);
    return mapRun(run, await this.repo.steps(id));
  }

  async record(id: string, kind?: RunKind): Promise<RunRecord> {
    return this.load(id, kind);
  }

  async stepsAfter(id: string, step: number): Promise<RunStep[]> {
    return this.repo.steps(id, step);
  }

  /** A queued run is cancelled at once; a running one stops at its next step boundary and keeps its checkpoint. */
  async cancel(id: string, kind?: RunKind): Promise<RunDto> {
    const run = await this.load(id, kind);
    if (TERMINAL_RUN_STATUSES.includes(run.status)) throw new ConflictError(`run ${id} is already ${run.status}; only queued or running runs can be cancelled`);
    if (run.jobId) {
      const job = await this.jobs.cancel(run.jobId);
      if (job.status === 'queued' || job.status === 'cancelled') await this.repo.finish(id, 'cancelled', 'cancelled before it started');
    } else await this.repo.finish(id, 'cancelled', 'cancelled before it started');
    return mapRun((await this.repo.get(id))!);
  }

  /**
   * Deletes a finished run and its folder (checkpoint, adapter, merged model). A merged checkpoint that
   * a registered model names as its source stays, so that model can still be fine-tuned again; the
   * registered ONNX model is the registry's to remove.
   */
  async remove(id: string, kind?: RunKind): Promise<{ id: string; removed: string[]; kept: string[] }> {
    const run = await this.load(id, kind);
    if (!TERMINAL_RUN_STATUSES.includes(run.status)) throw new ConflictError(`run ${id} is ${run.status}; cancel it first`);
    const dir = runDir(this.config, run.id);
    const sources = new Set((await this.registry.list()).map((m) => m.sourcePath).filter((p): p is string => !!p).map((p) => path.resolve(p)));
    const removed: string[] = [];
    const kept: string[] = [];
    if (fs.existsSync(dir)) {
      for (const entry of fs.readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (sources.has(path.resolve(full))) kept.push(full);
        else {
          fs.rmSync(full, { recursive: true, force: true });
          removed.push(full);
        }
      }
      if (kept.length === 0) fs.rmSync(dir, { recursive: true, force: true });
    }
    await this.repo.delete(run.id);
    this.logger.log({ msg: 'fine-tune removed', runId: run.id, kept });
    return { id: run.id, removed, kept };
  }

  private async load(id: string, kind?: RunKind): Promise<RunRecord> {
    const run = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.get(id, kind) : null;
    if (!run) throw new NotFoundError(`${kind === 'pipeline' ? 'pipeline' : 'fine-tuning run'} ${id} does not exist`);
    return this.settleOrphan(run);
  }

  /**
   * A run whose job ended without the handler settling it (its last attempt was interrupted by a dead
   * process, or the job was cancelled while queued elsewhere) takes the job's outcome, so it never
   * stays "running" with nothing running it.
   */
  private async settleOrphan(run: RunRecord): Promise<RunRecord> {
    if (TERMINAL_RUN_STATUSES.includes(run.status) || !run.jobId) return run;
    let job;
    try {
      job = await this.jobs.get(run.jobId);
    } catch (e) {
      if (e instanceof NotFoundError) job = null;
      else throw e;
    }
    if (job && !['failed', 'cancelled', 'completed'].includes(job.status)) return run;
    const status = job?.status === 'cancelled' ? 'cancelled' : 'failed';
    await this.repo.finish(run.id, status, job?.error ?? `its job ${run.jobId} is gone`);
    return (await this.repo.get(run.id))!;
  }
}

/** A folder name as a registry name: other characters become "-", and it starts with a letter or digit. */
function defaultModelName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100);
}
