import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConflictError, NotFoundError } from '../../common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { JobName, JobQueue, type JobContext } from '../../jobs';
import { importModel, MoeError, readManifest, readMoeConfig, type ImportBits, type ModelManifest } from '../../moe';
import type { ImportModelDto, RegisterModelDto } from '../dto/model.dto';
import { GenerationInputError, ModelNotFoundError, ModelPathError } from '../generator.errors';
import { ProviderPool } from '../serving/provider-pool';
import { ModelMeasurer } from './model-measurer';
import { CheckpointFolder, folderBytes, folderUnderModelsDir, listCheckpointFolders } from './model-paths';
import { formatModelRef, parseModelRef, type ModelRecord, type NewModel } from './model.record';
import { ModelsRepository } from './models.repository';

export interface ImportOutcome {
  modelId: string;
  ref: string;
  status: 'ready' | 'failed';
  error?: string;
}

const LINEAGE_NONE = { baseModel: null, parentModelId: null, datasetVersion: null };

/**
 * The model registry: versions of named models, each immutable once registered. ONNX folders must
 * lie inside the models directory; a checkpoint is imported by a job into a new version's folder.
 */
@Injectable()
export class ModelRegistryService {
  private readonly logger = new Logger('Models');

  constructor(
    private readonly repository: ModelsRepository,
    private readonly jobs: JobQueue,
    private readonly pool: ProviderPool,
    private readonly measurer: ModelMeasurer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  list(): Promise<ModelRecord[]> {
    return this.repository.list();
  }

  /** Checkpoint folders an import can start from (read-only; the console's import form lists them). */
  checkpoints(): CheckpointFolder[] {
    return listCheckpointFolders(this.config.modelsDir);
  }

  async get(id: string): Promise<ModelRecord> {
    const model = await this.repository.get(id);
    if (!model) throw new NotFoundError(`model ${id} does not exist`);
    return model;
  }

  /**
   * The model used when a request names none (the assistant, writing tasks): the newest ready version
   * flagged default, else the newest ready version; null when no model is ready.
   */
  defaultModel(): Promise<ModelRecord | null> {
    return this.repository.findAnyCurrent();
  }

  private async checkParent(id: string | null): Promise<void> {
    if (id && !(await this.repository.get(id))) throw new GenerationInputError(`parentModelId ${id} is not a registered model`, 'parentModelId');
  }

  /** `name` (its default, else newest ready version) or `name@version` (that version, if ready). */
  async resolve(ref: string): Promise<ModelRecord> {
    const { name, version } = parseModelRef(ref.trim());
    const model = version === null ? await this.repository.findCurrent(name) : await this.repository.findVersion(name, version);
    if (!model) throw new ModelNotFoundError(ref);
    if (model.status !== 'ready') {
      throw new ModelNotFoundError(ref, `model "${formatModelRef(model)}" is ${model.status}${model.error ? ` (${model.error})` : ''}; it cannot serve requests`);
    }
    return model;
  }

  /** Registers an imported ONNX folder or an external endpoint as the next version of its name. */
  async register(dto: RegisterModelDto): Promise<ModelRecord> {
    const lineage = { baseModel: dto.baseModel ?? null, parentModelId: dto.parentModelId ?? null, datasetVersion: dto.datasetVersion ?? null };
    await this.checkParent(lineage.parentModelId);
    const fields = (dto.provider ?? 'onnx') === 'onnx' ? this.onnxFields(dto) : this.remoteFields(dto);
    const model = await this.repository.insertVersion({ name: dto.name, ...fields, ...lineage });
    this.logger.log({ msg: 'model registered', model: formatModelRef(model), provider: model.provider });
    return dto.makeDefault ? (await this.repository.setDefault(model.id))! : model;
  }

  private onnxFields(dto: RegisterModelDto): Omit<NewModel, 'name' | keyof typeof LINEAGE_NONE> {
    if (dto.baseUrl || dto.apiKey || dto.remoteModel) throw new GenerationInputError('baseUrl, apiKey and remoteModel belong to provider "openai-compatible"');
    if (!dto.path) throw new GenerationInputError('path is required: the imported model folder inside the models directory', 'path');
    const folder = folderUnderModelsDir(this.config.modelsDir, dto.path, 'path');
    let manifest: ModelManifest;
    try {
      manifest = readManifest(folder);
    } catch (e) {
      if (e instanceof MoeError) throw new ModelPathError(e.message);
      throw e;
    }
    return {
      provider: 'onnx', status: 'ready', error: null, folder, ownsFolder: false,
      ...manifestFacts(manifest, folder),
      bits: manifest.weights.bits, group: manifest.weights.group,
      baseUrl: null, apiKey: null, remoteModel: null,
    };
  }

  private remoteFields(dto: RegisterModelDto): Omit<NewModel, 'name' | keyof typeof LINEAGE_NONE> {
    if (dto.path) throw new GenerationInputError('path belongs to provider "onnx"; an openai-compatible model takes baseUrl');
    if (!dto.baseUrl) throw new GenerationInputError('baseUrl is required for provider "openai-compatible", e.g. http://vllm:8000/v1', 'baseUrl');
    return {
      provider: 'openai-compatible', status: 'ready', error: null, folder: null, ownsFolder: false,
      sourcePath: null, sourceSha256: null, architecture: null, bits: null, group: null,
      contextLength: dto.contextLength ?? null, sizeBytes: null,
      baseUrl: dto.baseUrl.replace(/\/+$/, ''), apiKey: dto.apiKey ?? null, remoteModel: dto.remoteModel ?? dto.name,
    };
  }

  /** Registers a new version as "importing" and queues the import job that makes it ready. */
  async startImport(dto: ImportModelDto): Promise<ModelRecord> {
    const checkpoint = folderUnderModelsDir(this.config.modelsDir, dto.checkpoint, 'checkpoint');
    try {
      readMoeConfig(checkpoint); // an unsupported or broken config.json is refused now, not minutes later
    } catch (e) {
      if (e instanceof MoeError) throw new ModelPathError(`checkpoint ${dto.checkpoint}: ${e.message}`);
      throw e;
    }
    await this.checkParent(dto.parentModelId ?? null);
    const root = fs.realpathSync(this.config.modelsDir);
    const model = await this.repository.insertVersion(
      {
        name: dto.name, provider: 'onnx', status: 'importing', error: null, folder: null, ownsFolder: true,
        sourcePath: checkpoint, sourceSha256: null, architecture: null, bits: dto.bits ?? 4, group: dto.group ?? null,
        contextLength: null, sizeBytes: null, baseUrl: null, apiKey: null, remoteModel: null,
        baseModel: dto.baseModel ?? null, parentModelId: dto.parentModelId ?? null, datasetVersion: dto.datasetVersion ?? null,
      },
      (version) => path.join(root, `${dto.name}.v${version}`),
    );
    // An import fails the same way every time it is tried: one attempt, the reason on the model.
    const job = await this.jobs.enqueue(JobName.ImportModel, { modelId: model.id }, { maxAttempts: 1 });
    await this.repository.setJob(model.id, job.id);
    return { ...model, jobId: job.id };
  }

  /**
   * The body of JobName.ImportModel. A failed import leaves no folder and the reason on the row. A
   * cancelled or interrupted one throws, so the queue records it (a shutdown re-queues it and the
   * next attempt rebuilds the folder, which belongs to this version alone).
   */
  async runImport(modelId: string, context: Pick<JobContext, 'progress' | 'signal'>): Promise<ImportOutcome> {
    const model = await this.get(modelId);
    const ref = formatModelRef(model);
    if (model.status !== 'importing') return { modelId, ref, status: model.status === 'ready' ? 'ready' : 'failed' };
    let manifest: ModelManifest;
    try {
      manifest = await importModel(model.sourcePath!, model.folder!, { bits: model.bits as ImportBits, group: model.group ?? undefined, overwrite: true }, (e) => {
        const share = e.total > 0 ? e.done / e.total : 1;
        const percent = e.stage === 'hash' ? 10 * share : e.stage === 'layers' ? 10 + 85 * share : e.stage === 'tokenizer' ? 97 : 100;
        void context.progress(Math.round(percent), `${e.stage} ${e.done}/${e.total}`);
      });
    } catch (e) {
      if (context.signal.aborted) throw e;
      const reason = (e as Error).message;
      await this.repository.markFailed(modelId, reason);
      this.logger.warn({ msg: 'model import failed', model: ref, error: reason });
      return { modelId, ref, status: 'failed', error: reason };
    }
    // importModel cannot be interrupted; a cancel that came meanwhile still wins.
    if (context.signal.aborted) {
      fs.rmSync(model.folder!, { recursive: true, force: true });
      throw new Error(`import of ${ref} was stopped`);
    }
    // Measured before it turns ready, so a client that sees "ready" also sees its speed.
    void context.progress(99, 'measure');
    try {
      await this.repository.setMeasurements(modelId, await this.measurer.measure(model.folder!));
    } catch (e) {
      // A model that imported but cannot run a few tokens will fail its first request too; the import still counts.
      this.logger.warn({ msg: 'measuring the imported model failed', model: ref, error: (e as Error).message });
    }
    await this.repository.markReady(modelId, manifestFacts(manifest, model.folder!));
    this.logger.log({ msg: 'model imported', model: ref, bits: manifest.weights.bits });
    return { modelId, ref, status: 'ready' };
  }

  /** Measures speed again and, given a text, perplexity on it; the figures are stored on the version. */
  async measure(id: string, text?: string): Promise<ModelRecord> {
    const model = await this.get(id);
    if (model.provider !== 'onnx') throw new ConflictError(`model ${formatModelRef(model)} is an external endpoint; only a local ONNX model is measured here`);
    if (model.status !== 'ready') throw new ConflictError(`model ${formatModelRef(model)} is ${model.status}; only a ready version can be measured`);
    const figures = await this.measurer.measure(model.folder!, text);
    const updated = await this.repository.setMeasurements(id, figures);
    if (!updated) throw new NotFoundError(`model ${id} does not exist`);
    this.logger.log({ msg: 'model measured', model: formatModelRef(model), ...figures });
    return updated;
  }

  async setDefault(id: string): Promise<ModelRecord> {
    const model = await this.get(id);
    if (model.status !== 'ready') throw new ConflictError(`model ${formatModelRef(model)} is ${model.status}; only a ready version can be the default`);
    return (await this.repository.setDefault(id))!;
  }

  /** Whether an importing row's job may still finish (a cancelled or stopped job leaves the row importing). */
  private async importStillRunning(model: ModelRecord): Promise<boolean> {
    if (!model.jobId) return true;
    try {
      const job = await this.jobs.get(model.jobId);
      return job.status === 'queued' || job.status === 'running';
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  /** Unregisters a version; a folder the import job wrote goes with it, a registered one stays. */
  async remove(id: string): Promise<ModelRecord> {
    const model = await this.get(id);
    if (model.status === 'importing' && (await this.importStillRunning(model))) {
      throw new ConflictError(`model ${formatModelRef(model)} is still importing (job ${model.jobId}); wait for it or cancel the job first`);
    }
    const removed = await this.repository.delete(id);
    if (!removed) throw new NotFoundError(`model ${id} does not exist`);
    await this.pool.unload(id);
    if (removed.ownsFolder && removed.folder) fs.rmSync(removed.folder, { recursive: true, force: true });
    this.logger.log({ msg: 'model removed', model: formatModelRef(removed) });
    return removed;
  }
}

function manifestFacts(manifest: ModelManifest, folder: string): Pick<NewModel, 'sourcePath' | 'sourceSha256' | 'architecture' | 'contextLength' | 'sizeBytes' | 'group'> {
  return {
    // The group the quantizer used: the caller's, or its default for the width (null for float models).
    group: manifest.weights.group,
    sourcePath: manifest.source.path,
    sourceSha256: manifest.source.sha256,
    architecture: manifest.architecture,
    contextLength: manifest.graph.maxPositions,
    sizeBytes: folderBytes(folder),
  };
}
