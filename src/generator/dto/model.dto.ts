import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { MODEL_NAME } from '../registry/model-paths';
import { formatModelRef, MODEL_PROVIDERS, type ModelProvider, type ModelRecord } from '../registry/model.record';

const NAME_MESSAGE = 'name must be 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit';

class LineageFields {
  @ApiPropertyOptional({ description: 'the base model this one was derived from (fine-tuning)' })
  @IsOptional() @IsString() @MaxLength(200)
  baseModel?: string;

  @ApiPropertyOptional({ description: 'registry id of the version this one was made from' })
  @IsOptional() @IsUUID()
  parentModelId?: string;

  @ApiPropertyOptional({ description: 'version of the dataset it was trained on' })
  @IsOptional() @IsString() @MaxLength(100)
  datasetVersion?: string;
}

/** Registers an already-imported ONNX folder, or an external OpenAI-compatible endpoint. */
export class RegisterModelDto extends LineageFields {
  @ApiProperty({ example: 'qwen-moe' })
  @IsString() @Matches(MODEL_NAME, { message: NAME_MESSAGE })
  name!: string;

  @ApiPropertyOptional({ enum: MODEL_PROVIDERS, default: 'onnx' })
  @IsOptional() @IsIn(MODEL_PROVIDERS)
  provider?: ModelProvider;

  @ApiPropertyOptional({ description: 'onnx: the imported model folder, inside the models directory (absolute or relative to it)' })
  @IsOptional() @IsString() @MaxLength(4096)
  path?: string;

  @ApiPropertyOptional({ description: 'openai-compatible: base URL of the endpoint, e.g. http://vllm:8000/v1' })
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  baseUrl?: string;

  @ApiPropertyOptional({ description: 'openai-compatible: the key sent as Bearer; stored, never shown again' })
  @IsOptional() @IsString() @MaxLength(1000)
  apiKey?: string;

  @ApiPropertyOptional({ description: 'openai-compatible: the model name the endpoint knows (default: name)' })
  @IsOptional() @IsString() @MaxLength(200)
  remoteModel?: string;

  @ApiPropertyOptional({ description: 'openai-compatible: context length in tokens, when known' })
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000)
  contextLength?: number;

  @ApiPropertyOptional({ description: 'make this version the one the name resolves to' })
  @IsOptional() @IsBoolean()
  makeDefault?: boolean;
}

/** Imports a Hugging Face checkpoint folder (inside the models directory) as a new version, in a job. */
export class ImportModelDto extends LineageFields {
  @ApiProperty({ description: 'checkpoint folder inside the models directory (config.json, *.safetensors, tokenizer.json)' })
  @IsString() @MaxLength(4096)
  checkpoint!: string;

  @ApiProperty({ example: 'qwen-moe' })
  @IsString() @Matches(MODEL_NAME, { message: NAME_MESSAGE })
  name!: string;

  @ApiPropertyOptional({ enum: [32, 16, 8, 4, 3, 2], default: 4 })
  @IsOptional() @IsIn([32, 16, 8, 4, 3, 2], { message: 'bits must be one of 32, 16, 8, 4, 3, 2' })
  bits?: 32 | 16 | 8 | 4 | 3 | 2;

  @ApiPropertyOptional({ enum: [32, 64, 128], default: 32 })
  @IsOptional() @IsIn([32, 64, 128], { message: 'group must be 32, 64 or 128' })
  group?: 32 | 64 | 128;
}

export class MeasureModelDto {
  @ApiPropertyOptional({ description: 'a text to measure perplexity on (its first 4,096 tokens are scored)', maxLength: 200_000 })
  @IsOptional() @IsString() @MaxLength(200_000)
  text?: string;
}

/** Figures measured on the version; null until measured. */
export class ModelMeasuredDto {
  @ApiProperty({ nullable: true, type: Number }) decodeTokensPerS!: number | null;
  @ApiProperty({ nullable: true, type: Number }) prefillTokensPerS!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'peak resident memory of the measuring process' }) peakRssMb!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'ONNX Runtime intra-op threads' }) threads!: number | null;
  @ApiProperty({ nullable: true, type: String }) measuredAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) perplexity!: number | null;
  @ApiProperty({ nullable: true, type: Number }) perplexityTokens!: number | null;
  @ApiProperty({ nullable: true, type: String }) perplexityAt!: string | null;
}

export class ModelDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ description: 'name@version' }) ref!: string;
  @ApiProperty({ enum: MODEL_PROVIDERS }) provider!: ModelProvider;
  @ApiProperty({ enum: ['importing', 'ready', 'failed'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) folder!: string | null;
  @ApiProperty() source!: { path: string | null; sha256: string | null };
  @ApiProperty({ nullable: true, type: String }) architecture!: string | null;
  @ApiProperty({ nullable: true, type: Number }) bits!: number | null;
  @ApiProperty({ nullable: true, type: Number }) group!: number | null;
  @ApiProperty({ nullable: true, type: Number }) contextLength!: number | null;
  @ApiProperty({ nullable: true, type: Number }) sizeBytes!: number | null;
  @ApiProperty({ nullable: true, type: String }) baseUrl!: string | null;
  @ApiProperty({ nullable: true, type: String }) remoteModel!: string | null;
  @ApiProperty() hasApiKey!: boolean;
  @ApiProperty() lineage!: { baseModel: string | null; parentModelId: string | null; datasetVersion: string | null };
  @ApiProperty() isDefault!: boolean;
  @ApiProperty({ nullable: true, type: String }) jobId!: string | null;
  @ApiProperty({ type: ModelMeasuredDto }) measured!: ModelMeasuredDto;
  @ApiProperty() createdAt!: string;
}

export function mapModel(m: ModelRecord): ModelDto {
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    ref: formatModelRef(m),
    provider: m.provider,
    status: m.status,
    error: m.error,
    folder: m.folder,
    source: { path: m.sourcePath, sha256: m.sourceSha256 },
    architecture: m.architecture,
    bits: m.bits,
    group: m.group,
    contextLength: m.contextLength,
    sizeBytes: m.sizeBytes,
    baseUrl: m.baseUrl,
    remoteModel: m.remoteModel,
    hasApiKey: m.apiKey !== null,
    lineage: { baseModel: m.baseModel, parentModelId: m.parentModelId, datasetVersion: m.datasetVersion },
    isDefault: m.isDefault,
    jobId: m.jobId,
    measured: {
      ...m.measurements,
      measuredAt: m.measurements.measuredAt?.toISOString() ?? null,
      perplexityAt: m.measurements.perplexityAt?.toISOString() ?? null,
    },
    createdAt: m.createdAt.toISOString(),
  };
}
