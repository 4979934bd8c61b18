import type { RunParams } from './run-params';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunKind = 'run' | 'pipeline';

/** 'import' stands in for 'train' when the adapter was trained elsewhere (POST /api/finetune/adapters). */
export const STAGE_NAMES = ['train', 'import', 'merge', 'evaluate', 'quantize', 'deploy'] as const;
export type StageName = (typeof STAGE_NAMES)[number];
export type StageStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export interface RunStage {
  name: StageName;
  status: StageStatus;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** What the stage produced: folders, figures, the registered model. */
  result: Record<string, unknown> | null;
}

/** One optimizer step as persisted and streamed. */
export interface RunStep {
  step: number;
  loss: number;
  valLoss: number | null;
  lr: number;
  tokensPerSecond: number;
  etaSeconds: number;
  /** Load-balancing loss E·Σ f·P, unweighted (its weight is params.routerAuxLossCoef). */
  auxLoss: number | null;
}

/** The latest step plus what a progress bar needs. */
export interface RunProgress extends RunStep {
  totalSteps: number;
  bestValLoss: number | null;
  /** Step a restarted job resumed from (its last checkpoint), null when it never restarted. */
  resumedFromStep: number | null;
  stoppedEarly: boolean;
}

export interface RunArtifacts {
  /** Folder holding the run's checkpoint, adapter and merged model (under the models directory). */
  dir?: string;
  /** PEFT adapter folder (adapter_config.json + adapter_model.safetensors). */
  adapter?: string;
  /** Merged Hugging Face checkpoint folder. */
  merged?: string;
  /** Quantized ONNX model folder. */
  onnx?: string;
  /** Registered model, name@version. */
  model?: string;
}

export interface PipelineOptions {
  /** group null: the quantizer's default for the width. */
  quantize: { bits: number; group: number | null };
  deploy: boolean;
  /** Name the model is registered under (default: the base's registered name, else the checkpoint folder's name). */
  modelName: string | null;
  /** A PEFT adapter folder trained elsewhere, imported instead of training. */
  adapter?: string | null;
}

export interface RunRecord {
  id: string;
  kind: RunKind;
  status: RunStatus;
  error: string | null;
  baseModel: string;
  baseCheckpoint: string;
  baseModelId: string | null;
  datasetId: string | null;
  datasetName: string;
  datasetVersion: number;
  method: 'lora';
  params: RunParams;
  pipeline: PipelineOptions | null;
  stages: RunStage[];
  progress: RunProgress | null;
  evaluation: unknown;
  artifacts: RunArtifacts;
  modelId: string | null;
  jobId: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export type NewRun = Pick<RunRecord, 'kind' | 'baseModel' | 'baseCheckpoint' | 'baseModelId' | 'datasetId' | 'datasetName' | 'datasetVersion' | 'method' | 'params' | 'pipeline' | 'stages' | 'createdBy'>;

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];
