import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import type { CitationDto } from './ask.dto';

export class WriteRequestDto {
  @ApiProperty({ maxLength: 100_000 })
  @IsString()
  @Matches(/\S/, { message: 'text must not be empty' })
  @MaxLength(100_000)
  text!: string;

  @ApiPropertyOptional({ example: 'formal' }) @IsOptional() @IsString() @MaxLength(40) tone?: string;
  @ApiPropertyOptional({ example: 'short' }) @IsOptional() @IsString() @MaxLength(40) length?: string;
  @ApiPropertyOptional({ example: 'auto' }) @IsOptional() @IsString() @MaxLength(40) language?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) instructions?: string;
  @ApiPropertyOptional({ example: 'English' }) @IsOptional() @IsString() @MaxLength(100) targetLanguage?: string;
  @ApiPropertyOptional({ description: 'Template name (default: the task\'s template in the text\'s language)' }) @IsOptional() @IsString() @MaxLength(100) template?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) model?: string;

  @ApiPropertyOptional({ type: [String], description: 'Ground the text in these knowledge bases' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  knowledgeBases?: string[];

  @ApiPropertyOptional() @IsOptional() @IsBoolean() stream?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 4096 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4096)
  maxTokens?: number;
}

export interface WriteResponseDto {
  task: string;
  template: string;
  model: string;
  text: string;
  citations: CitationDto[];
  finishReason: string;
}
