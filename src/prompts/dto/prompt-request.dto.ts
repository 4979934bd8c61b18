import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { TEMPLATE_LANGUAGES } from '../prompt-template.types';

const MAX_SOURCE = 200_000;

/**
 * The fields of a template. A request gives either `source` (the whole file text, front matter
 * and body, as in the prompts/ folder) or the structured fields; not both.
 */
export class TemplateFieldsDto {
  @ApiPropertyOptional({ description: 'the whole template file: "---" front matter "---" then the Jinja body' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SOURCE)
  source?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional({ example: 'qa' }) @IsOptional() @IsString() @MaxLength(50) task?: string;
  @ApiPropertyOptional({ enum: TEMPLATE_LANGUAGES }) @IsOptional() @IsIn(TEMPLATE_LANGUAGES) language?: string;

  @ApiPropertyOptional({ description: 'variable name → {type, required?, default?, values?, maxLength?, min?, max?, description?}' })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;

  @ApiPropertyOptional({ description: '{temperature?, maxTokens?, topP?, stop?}' })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'the Jinja body; optional "=== system ===" and "=== user ===" lines split it into chat messages' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SOURCE)
  body?: string;
}

export class CreatePromptDto extends TemplateFieldsDto {
  @ApiPropertyOptional({ example: 'faq.zh', description: 'required unless given in source' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}

/** An edit: `source`, or any of the structured fields (the others are kept from the active version). */
export class UpdatePromptDto extends TemplateFieldsDto {}

export class ActivatePromptDto {
  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  version!: number;
}

export class DiffQueryDto {
  @ApiProperty({ minimum: 1 }) @Type(() => Number) @IsInt() @Min(1) from!: number;
  @ApiProperty({ minimum: 1 }) @Type(() => Number) @IsInt() @Min(1) to!: number;
}

export class GetPromptQueryDto {
  @ApiPropertyOptional({ minimum: 1, description: 'a given version instead of the active one' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

export class ListPromptsQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) task?: string;
  @ApiPropertyOptional({ enum: TEMPLATE_LANGUAGES }) @IsOptional() @IsIn(TEMPLATE_LANGUAGES) language?: string;
}

/** An unsaved template (the editor's text) and the variables to render it with. */
export class PreviewPromptDto {
  @ApiProperty({ description: 'the whole template file as being edited: "---" front matter "---" then the Jinja body' })
  @IsString()
  @MaxLength(MAX_SOURCE)
  source!: string;

  @ApiPropertyOptional({ description: 'variable name → value', default: {} })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1, description: 'token budget, as for a saved template' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  budget?: number;
}

export class RenderPromptDto {
  @ApiPropertyOptional({ description: 'variable name → value', default: {} })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1, description: 'render this version instead of the active one' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'token budget: context chunks are trimmed (lowest rank first) to fit; counted with an estimate' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  budget?: number;
}
