import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { LORA_TARGETS, type LoraTarget } from '../../training';
import { PARAM_LIMITS as L, TRAINING_ENGINES, type RunParams, type TrainingEngineName } from '../run-params';
import type { RunArtifacts, RunProgress, RunRecord, RunStage, RunStep } from '../run.record';

/** Training parameters; every field optional (defaults in docs/finetune-runs.md). */
export class RunParamsDto {
  @ApiPropertyOptional({ enum: TRAINING_ENGINES, default: 'onnxruntime', description: 'tfjs: TensorFlow.js autodiff (Mixtral-style models, no dropout or router training; slow without tfjs-node)' })
  @IsOptional() @IsIn(TRAINING_ENGINES) engine?: TrainingEngineName;
  @ApiPropertyOptional({ default: 8 }) @IsOptional() @IsInt() @Min(L.rank.min) @Max(L.rank.max) rank?: number;
  @ApiPropertyOptional({ description: 'default 2 × rank' }) @IsOptional() @IsNumber() @Min(L.alpha.min) @Max(L.alpha.max) alpha?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsNumber() @Min(L.dropout.min) @Max(L.dropout.max) dropout?: number;
  @ApiPropertyOptional({ enum: LORA_TARGETS, isArray: true, description: 'default: all seven' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @IsIn(LORA_TARGETS, { each: true })
  targets?: LoraTarget[];
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @IsInt() @Min(L.steps.min) @Max(L.steps.max) steps?: number;
  @ApiPropertyOptional({ default: 4 }) @IsOptional() @IsInt() @Min(L.batchSize.min) @Max(L.batchSize.max) batchSize?: number;
  @ApiPropertyOptional({ default: 256, description: 'tokens per row' }) @IsOptional() @IsInt() @Min(L.seqLen.min) @Max(L.seqLen.max) seqLen?: number;
  @ApiPropertyOptional({ default: 2e-4, description: 'peak learning rate (cosine schedule)' }) @IsOptional() @IsNumber() @Min(L.learningRate.min) @Max(L.learningRate.max) learningRate?: number;
  @ApiPropertyOptional({ description: 'default min(100, steps/10)' }) @IsOptional() @IsInt() @Min(L.warmupSteps.min) @Max(L.warmupSteps.max) warmupSteps?: number;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @IsInt() @Min(L.accumulation.min) @Max(L.accumulation.max) accumulation?: number;
  @ApiPropertyOptional({ default: 1, description: '0 turns clipping off' }) @IsOptional() @IsNumber() @Min(L.maxGradNorm.min) @Max(L.maxGradNorm.max) maxGradNorm?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsNumber() @Min(L.weightDecay.min) @Max(L.weightDecay.max) weightDecay?: number;
  @ApiPropertyOptional({ default: 42 }) @IsOptional() @IsInt() @Min(L.seed.min) @Max(L.seed.max) seed?: number;
  @ApiPropertyOptional({ description: 'default min(50, steps)' }) @IsOptional() @IsInt() @Min(L.checkpointEvery.min) @Max(L.checkpointEvery.max) checkpointEvery?: number;
  @ApiPropertyOptional({ description: 'validation loss every N steps; default checkpointEvery' }) @IsOptional() @IsInt() @Min(L.evalEvery.min) @Max(L.evalEvery.max) evalEvery?: number;
  @ApiPropertyOptional({ default: 0, description: 'early stopping: validations without improvement; 0 = off' }) @IsOptional() @IsInt() @Min(L.patience.min) @Max(L.patience.max) patience?: number;
  @ApiPropertyOptional({ default: 32, description: 'validation questions answered before and after' }) @IsOptional() @IsInt() @Min(L.evalSamples.min) @Max(L.evalSamples.max) evalSamples?: number;
  @ApiPropertyOptional({ default: 64 }) @IsOptional() @IsInt() @Min(L.maxNewTokens.min) @Max(L.maxNewTokens.max) maxNewTokens?: number;
  @ApiPropertyOptional({ default: false, description: 'train the routers too, with the load-balancing loss' }) @IsOptional() @IsBoolean() trainRouter?: boolean;
  @ApiPropertyOptional({ description: 'load-balancing loss weight; default 0.01 with trainRouter' }) @IsOptional() @IsNumber() @Min(L.routerAuxLossCoef.min) @Max(L.routerAuxLossCoef.max) routerAuxLossCoef?: number;
}

export class CreateRunDto {
  @ApiProperty({ description: 'a registered model (name or name@version) with a source checkpoint, or a checkpoint folder under the models directory' })
  @IsString() @Length(1, 4096)
  baseModel!: string;

  @ApiProperty({ description: 'dataset name or id' })
  @IsString() @Length(1, 100)
  dataset!: string;

  @ApiPropertyOptional({ description: 'default: the latest version' })
  @IsOptional() @IsInt() @Min(1)
  datasetVersion?: number;

  @ApiProperty({ enum: ['lora'] })
  @IsIn(['lora'], { message: 'method must be "lora" (full-parameter training is `zhiku finetune pretrain`)' })
  method!: 'lora';

  @ApiPropertyOptional({ type: RunParamsDto })
  @IsOptional() @ValidateNested() @Type(() => RunParamsDto)
  params?: RunParamsDto;
}

export class QuantizeDto {
  @ApiProperty({ enum: [32, 16, 8, 4, 3, 2] })
  @IsIn([32, 16, 8, 4, 3, 2], { message: 'quantize.bits must be one of 32, 16, 8, 4, 3, 2' })
  bits!: number;

  @ApiPropertyOptional({ enum: [32, 64, 128], default: 32 })
  @IsOptional() @IsIn([32, 64, 128], { message: 'quantize.group must be 32, 64 or 128' })
  group?: number;
}

export class CreatePipelineDto extends CreateRunDto {
  @ApiProperty({ type: QuantizeDto })
  @ValidateNested() @Type(() => QuantizeDto)
  quantize!: QuantizeDto;

  @ApiPropertyOptional({ default: false, description: 'make the new version the default of its name' })
  @IsOptional() @IsIn([true, false])
  deploy?: boolean;

  @ApiPropertyOptional({ description: 'registered name of the result; default the base model\'s name, else its folder name' })
  @IsOptional() @IsString() @MaxLength(100)
  modelName?: string;
}

/** An adapter trained elsewhere, imported through the pipeline (import ► merge ► evaluate ► quantize ► deploy). */
export class ImportAdapterDto {
  @ApiProperty({ description: 'the base the adapter was trained on: a registered model or a checkpoint folder under the models directory' })
  @IsString() @Length(1, 4096)
  baseModel!: string;

  @ApiProperty({ description: 'PEFT adapter folder (adapter_config.json + adapter_model.safetensors) under the models directory' })
  @IsString() @Length(1, 4096)
  adapter!: string;

  @ApiProperty({ description: 'dataset whose validation split evaluates the result' })
  @IsString() @Length(1, 100)
  dataset!: string;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) datasetVersion?: number;

  @ApiProperty({ type: QuantizeDto }) @ValidateNested() @Type(() => QuantizeDto) quantize!: QuantizeDto;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsIn([true, false]) deploy?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) modelName?: string;

  @ApiPropertyOptional({ type: RunParamsDto, description: 'evaluation knobs (evalSamples, maxNewTokens, seqLen)' })
  @IsOptional() @ValidateNested() @Type(() => RunParamsDto)
  params?: RunParamsDto;
}

export class ListRunsQueryDto {
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class RunStepDto implements RunStep {
  @ApiProperty() step!: number;
  @ApiProperty() loss!: number;
  @ApiProperty({ nullable: true, type: Number }) valLoss!: number | null;
  @ApiProperty() lr!: number;
  @ApiProperty() tokensPerSecond!: number;
  @ApiProperty() etaSeconds!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'load-balancing loss (unweighted), when the engine reports it' }) auxLoss!: number | null;
}

export class RunDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['run', 'pipeline'] }) kind!: 'run' | 'pipeline';
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() baseModel!: string;
  @ApiProperty({ description: 'the checkpoint folder training reads' }) baseCheckpoint!: string;
  @ApiProperty() dataset!: { id: string | null; name: string; version: number };
  @ApiProperty() method!: 'lora';
  @ApiProperty({ description: 'parameters with defaults applied' }) params!: RunParams;
  @ApiProperty({ nullable: true, description: 'latest step, totals, ETA' }) progress!: RunProgress | null;
  @ApiProperty({ description: 'pipeline stages (a plain run has train, evaluate, merge)' }) stages!: RunStage[];
  @ApiProperty({ nullable: true, description: 'before/after report (docs/finetune-runs.md)' }) evaluation!: unknown;
  @ApiProperty() artifacts!: RunArtifacts;
  @ApiPropertyOptional({ nullable: true, description: 'pipeline options' }) pipeline!: unknown;
  @ApiProperty({ nullable: true, type: String }) modelId!: string | null;
  @ApiProperty({ nullable: true, type: String }) jobId!: string | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiPropertyOptional({ type: [RunStepDto], description: 'every step so far (GET /:id only)' }) history?: RunStep[];
}

export function mapRun(run: RunRecord, history?: RunStep[]): RunDto {
  const dto: RunDto = {
    id: run.id,
    kind: run.kind,
    status: run.status,
    error: run.error,
    baseModel: run.baseModel,
    baseCheckpoint: run.baseCheckpoint,
    dataset: { id: run.datasetId, name: run.datasetName, version: run.datasetVersion },
    method: run.method,
    params: run.params,
    progress: run.progress,
    stages: run.stages,
    evaluation: run.evaluation ?? null,
    artifacts: run.artifacts,
    pipeline: run.pipeline,
    modelId: run.modelId,
    jobId: run.jobId,
    createdBy: run.createdBy,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt ? run.startedAt.toISOString() : null,
    finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
  };
  if (history) dto.history = history;
  return dto;
}
