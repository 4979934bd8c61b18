import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../../common';
import { readMoeConfig, type MoeArchitecture } from '../../moe';
import { DatasetsService, type ExportFormat } from '../datasets';
import { BaseModelResolver } from '../runs/base-model.resolver';
import { resolveRunParams, type RunParams } from '../runs/run-params';

/** LLaMA-Factory's chat template names for the architectures we import. */
const TEMPLATES: Record<MoeArchitecture, string> = { mixtral: 'mistral', qwen2_moe: 'qwen', qwen3_moe: 'qwen3', olmoe: 'olmo', deepseek_v2: 'deepseek' };
const ARCHITECTURES = Object.keys(TEMPLATES) as MoeArchitecture[];

export interface HandoffRequest {
  /** Local base (registered name or checkpoint folder) whose architecture and name go in the config; or any path when `architecture` is given. */
  baseModel: string;
  dataset: string;
  datasetVersion?: number;
  params?: Record<string, unknown>;
  /** Needed when baseModel is not a local model (a path on the GPU cluster). */
  architecture?: MoeArchitecture;
  format?: ExportFormat;
}

export interface Handoff {
  /** dataset_info.json entry, the dataset file's name and content (the datasets module's LLaMA-Factory export). */
  datasetInfo: Record<string, unknown>;
  fileName: string;
  content: string;
  /** A LLaMA-Factory `llamafactory-cli train` YAML with the same LoRA settings as a run here. */
  configFileName: string;
  config: string;
  params: RunParams;
}

/**
 * The hand-off of a fine-tune to LLaMA-Factory on a GPU cluster, for models too large to train here:
 * the dataset version as exported by the datasets module, plus a training config with this run's
 * parameters. The adapter it produces comes back through `zhiku finetune merge` (same merge as ours).
 */
@Injectable()
export class LlamaFactoryHandoff {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly bases: BaseModelResolver,
  ) {}

  async build(request: HandoffRequest): Promise<Handoff> {
    const params = resolveRunParams(request.params ?? {});
    let architecture = request.architecture;
    let modelPath = request.baseModel;
    if (!architecture) {
      const base = await this.bases.resolve(request.baseModel);
      architecture = readMoeConfig(base.checkpoint).architecture;
      modelPath = base.checkpoint;
    } else if (!ARCHITECTURES.includes(architecture)) {
      throw new InvalidInputError(`architecture must be one of ${ARCHITECTURES.join(', ')}`, [{ field: 'architecture', messages: ['unknown'] }]);
    }
    const format = request.format ?? 'alpaca';
    const exported = await this.datasets.llamaFactory(request.dataset, { format, version: request.datasetVersion });
    const entry = Object.keys(exported.datasetInfo)[0];
    const targets = params.targets.map((t) => (architecture === 'mixtral' ? ({ gate_proj: 'w1', up_proj: 'w3', down_proj: 'w2' } as Record<string, string>)[t] ?? t : t));
    const lines = [
      '### model',
      // A JSON string is a valid YAML double-quoted scalar: a path with ': ' or a newline cannot add keys.
      `model_name_or_path: ${JSON.stringify(modelPath)}`,
      '### method',
      'stage: sft',
      'do_train: true',
      'finetuning_type: lora',
      `lora_rank: ${params.rank}`,
      `lora_alpha: ${params.alpha}`,
      `lora_dropout: ${params.dropout}`,
      `lora_target: ${targets.join(',')}`,
      // LLaMA-Factory leaves the routers frozen and the aux loss at the model's default unless told.
      ...(params.trainRouter ? ['additional_target: gate', `moe_aux_loss_coef: ${params.routerAuxLossCoef}`] : []),
      '### dataset',
      `dataset: ${entry}`,
      'dataset_dir: .',
      `template: ${TEMPLATES[architecture]}`,
      `cutoff_len: ${params.seqLen}`,
      'packing: true',
      '### output',
      `output_dir: saves/${entry}-lora`,
      `save_steps: ${params.checkpointEvery}`,
      '### train',
      `per_device_train_batch_size: ${params.batchSize}`,
      `gradient_accumulation_steps: ${params.accumulation}`,
      `learning_rate: ${params.learningRate}`,
      `max_steps: ${params.steps}`,
      'lr_scheduler_type: cosine',
      `warmup_steps: ${params.warmupSteps}`,
      `max_grad_norm: ${params.maxGradNorm}`,
      `weight_decay: ${params.weightDecay}`,
      `seed: ${params.seed}`,
      'bf16: true',
      '',
    ];
    return { ...exported, configFileName: `${entry}-lora-sft.yaml`, config: lines.join('\n'), params };
  }
}
