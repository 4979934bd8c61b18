import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { formatModelRef, ModelRegistryService } from '../../generator';
import { importModel, type ImportBits } from '../../moe';
import { FinetuneRunsRepository } from '../runs/finetune-runs.repository';
import type { RunRecord } from '../runs/run.record';

/**
 * The pipeline's last stages: the merged checkpoint is quantized into an ONNX model folder and
 * registered through the generator's registry as a new version with its lineage; deploy makes that
 * version the one its name resolves to.
 */
@Injectable()
export class RegisterStage {
  constructor(
    private readonly registry: ModelRegistryService,
    private readonly repo: FinetuneRunsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async quantizeAndRegister(run: RunRecord, merged: string, lineage: object, report: (percent: number, message: string) => Promise<void>): Promise<Record<string, unknown>> {
    // A job restarted after registering but before the stage was recorded must not register twice.
    const already = await this.repo.get(run.id);
    if (already?.modelId && already.artifacts.model) return { model: already.artifacts.model, modelId: already.modelId, folder: already.artifacts.onnx, reused: true };
    const options = run.pipeline!;
    const name = options.modelName!;
    // Named by run, not by version (the registry numbers the version when it registers the folder).
    const folder = path.join(fs.realpathSync(this.config.modelsDir), `${name}.ft-${run.id.slice(0, 8)}`);
    const manifest = await importModel(merged, folder, { bits: options.quantize.bits as ImportBits, group: options.quantize.group ?? undefined, overwrite: true }, (e) => {
      void report(e.stage === 'layers' && e.total > 0 ? (90 * e.done) / e.total : e.stage === 'done' ? 95 : 5, `${e.stage} ${e.done}/${e.total}`);
    });
    fs.writeFileSync(path.join(folder, 'zhiku_lineage.json'), JSON.stringify(lineage, null, 2) + '\n');
    const model = await this.registry.register({
      name,
      provider: 'onnx',
      path: folder,
      baseModel: run.baseModel,
      parentModelId: run.baseModelId ?? undefined,
      datasetVersion: `${run.datasetName}@${run.datasetVersion}`,
    });
    const ref = formatModelRef(model);
    await this.repo.setModel(run.id, model.id);
    await this.repo.addArtifacts(run.id, { onnx: folder, model: ref });
    return { model: ref, modelId: model.id, folder, bits: manifest.weights.bits, group: manifest.weights.group, averageBits: manifest.weights.averageBits, fileBytes: manifest.weights.fileBytes };
  }

  async deploy(run: RunRecord): Promise<Record<string, unknown>> {
    const fresh = await this.repo.get(run.id);
    if (!fresh?.modelId) throw new Error('no registered model to deploy: the quantize stage did not register one');
    const model = await this.registry.setDefault(fresh.modelId);
    return { model: formatModelRef(model), isDefault: model.isDefault };
  }
}
