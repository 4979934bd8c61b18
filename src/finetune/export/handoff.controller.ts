import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Min, ValidateNested } from 'class-validator';
import { Roles } from '../../auth';
import { RunParamsDto } from '../runs/dto/run.dto';
import { LlamaFactoryHandoff } from './llamafactory-handoff';

export class LlamaFactoryHandoffDto {
  @ApiProperty({ description: 'a local base (registered name or checkpoint folder), or its path on the training cluster together with architecture' })
  @IsString() @Length(1, 4096) baseModel!: string;
  @ApiProperty() @IsString() @Length(1, 100) dataset!: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) datasetVersion?: number;
  @ApiPropertyOptional({ type: RunParamsDto }) @IsOptional() @ValidateNested() @Type(() => RunParamsDto) params?: RunParamsDto;
  @ApiPropertyOptional({ enum: ['mixtral', 'qwen2_moe', 'qwen3_moe', 'olmoe', 'deepseek_v2'] })
  @IsOptional() @IsIn(['mixtral', 'qwen2_moe', 'qwen3_moe', 'olmoe', 'deepseek_v2']) architecture?: 'mixtral' | 'qwen2_moe' | 'qwen3_moe' | 'olmoe' | 'deepseek_v2';
  @ApiPropertyOptional({ enum: ['alpaca', 'sharegpt'], default: 'alpaca' }) @IsOptional() @IsIn(['alpaca', 'sharegpt']) format?: 'alpaca' | 'sharegpt';
}

@ApiTags('finetune')
@ApiBearerAuth()
@Controller('api/finetune/handoff')
export class HandoffController {
  constructor(private readonly handoff: LlamaFactoryHandoff) {}

  /** The dataset file, its dataset_info.json entry and a LLaMA-Factory LoRA SFT config, for training elsewhere. */
  @Post('llamafactory')
  @Roles('editor')
  @HttpCode(200)
  llamaFactory(@Body() dto: LlamaFactoryHandoffDto) {
    return this.handoff.build({ ...dto, params: dto.params as Record<string, unknown> | undefined });
  }
}
