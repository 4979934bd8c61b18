import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { InvalidInputError, NotFoundError } from '../../common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { formatModelRef, ModelNotFoundError, ModelPathError, ModelRegistryService, type ModelRecord } from '../../generator';
import { folderUnderModelsDir } from '../../generator/registry/model-paths';
import { MoeError, readMoeConfig } from '../../moe';

export interface ResolvedBase {
  /** The unquantized Hugging Face checkpoint folder training reads. */
  checkpoint: string;
  /** The registered version, when the base was given by name. */
  model: ModelRecord | null;
  /** Default name for a fine-tuned version: the base's registered name, else the folder's name. */
  defaultName: string;
}

const QUANTIZED_HINT =
  'LoRA trains on the unquantized checkpoint: put the Hugging Face checkpoint folder (config.json, *.safetensors, tokenizer.json) ' +
  'under the models directory and pass that folder as baseModel';

/**
 * baseModel → the checkpoint folder to train on: a registered model's source checkpoint, or a
 * checkpoint folder under the models directory. A quantized ONNX folder is refused with the reason.
 */
@Injectable()
export class BaseModelResolver {
  constructor(
    private readonly registry: ModelRegistryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async resolve(baseModel: string): Promise<ResolvedBase> {
    const given = baseModel.trim();
    let registryError: Error;
    try {
      const model = await this.registry.resolve(given);
      return { checkpoint: this.checkpointOf(model), model, defaultName: model.name };
    } catch (e) {
      if (!(e instanceof ModelNotFoundError)) throw e;
      registryError = e;
    }
    const candidate = path.resolve(this.config.modelsDir, given);
    if (!fs.existsSync(candidate)) {
      // A registered name that is not ready says so; an unknown name says both places were looked at.
      if (!/is not registered/.test(registryError.message)) throw registryError;
      throw new NotFoundError(`baseModel "${given}" is neither a registered model nor a checkpoint folder under the models directory ${this.config.modelsDir}`);
    }
    const folder = folderUnderModelsDir(this.config.modelsDir, given, 'baseModel');
    return { checkpoint: this.checkCheckpoint(folder, `baseModel ${given}`), model: null, defaultName: path.basename(folder) };
  }

  private checkpointOf(model: ModelRecord): string {
    const ref = formatModelRef(model);
    if (model.provider !== 'onnx') throw new InvalidInputError(`baseModel ${ref} is an external endpoint (${model.baseUrl}); its weights are not here to train`, [{ field: 'baseModel', messages: ['external endpoint'] }]);
    if (!model.sourcePath || !fs.existsSync(path.join(model.sourcePath, 'config.json'))) {
      throw new InvalidInputError(
        `baseModel ${ref} has only its quantized ONNX folder (${model.bits}-bit)${model.sourcePath ? ` and its source checkpoint ${model.sourcePath} is gone` : ' and no source checkpoint'}; ${QUANTIZED_HINT}`,
        [{ field: 'baseModel', messages: ['no unquantized checkpoint'] }],
      );
    }
    return this.checkCheckpoint(model.sourcePath, `baseModel ${ref} (source checkpoint ${model.sourcePath})`);
  }

  private checkCheckpoint(folder: string, what: string): string {
    const files = fs.readdirSync(folder);
    if (!files.some((f) => f.endsWith('.safetensors'))) {
      const onnx = files.includes('manifest.json') || files.some((f) => f.endsWith('.onnx'));
      throw new ModelPathError(onnx ? `${what} is a quantized ONNX model folder; ${QUANTIZED_HINT}` : `${what} holds no *.safetensors weights; ${QUANTIZED_HINT}`);
    }
    try {
      readMoeConfig(folder);
    } catch (e) {
      if (e instanceof MoeError) throw new ModelPathError(`${what}: ${e.message}`);
      throw e;
    }
    return folder;
  }
}
