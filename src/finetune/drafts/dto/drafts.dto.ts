import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { DRAFT_STATUSES, type DraftStatus } from '../drafts.repository';

export const MAX_DRAFT_CHUNKS = 200;

export class StartDraftingDto {
  @ApiProperty({ description: 'The document whose chunks the questions are drafted from' })
  @IsUUID('all', { message: 'documentId must be a document id (a UUID)' })
  documentId!: string;

  @ApiPropertyOptional({ description: 'A registered model (name or name@version); the default model when left out' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DRAFT_CHUNKS, default: 20, description: 'Chunks to draft from, spread over the document' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DRAFT_CHUNKS)
  maxChunks?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 5, default: 2, description: 'Pairs asked for per chunk' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  perChunk?: number;
}

export class ListDraftsQueryDto {
  @ApiPropertyOptional({ enum: DRAFT_STATUSES })
  @IsOptional()
  @IsIn(DRAFT_STATUSES)
  status?: DraftStatus;

  @ApiPropertyOptional({ description: 'only the drafts of this drafting job' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  jobId?: string;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class DecideDraftsDto {
  @ApiProperty({ type: [String], description: 'Pending draft ids' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true, message: 'ids must be draft ids (UUIDs)' })
  ids!: string[];
}

export class EditDraftDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(8000) instruction?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(60000) output?: string;
}
