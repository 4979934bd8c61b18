import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DiffLine } from '../line-diff';
import type { GenerationParameters, RenderedPrompt, TemplateDefinition, VariableSpec } from '../prompt-template.types';
import type { TemplateRecord, VersionOrigin, VersionRecord } from '../prompts.repository';

export class PromptSummaryDto {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() task!: string;
  @ApiProperty() language!: string;
  @ApiProperty({ description: 'loaded from the prompts/ folder; cannot be deleted' }) shipped!: boolean;
  @ApiProperty() activeVersion!: number;
  @ApiProperty() latestVersion!: number;
  @ApiProperty() updatedAt!: string;
}

export class PromptDto extends PromptSummaryDto {
  @ApiProperty({ description: 'the version shown (the active one unless asked for another)' }) version!: number;
  @ApiProperty() variables!: Record<string, VariableSpec>;
  @ApiProperty() parameters!: GenerationParameters;
  @ApiProperty() body!: string;
  @ApiProperty() source!: string;
}

export class PromptVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty() active!: boolean;
  @ApiProperty({ enum: ['shipped', 'created', 'edited'] }) origin!: VersionOrigin;
  @ApiProperty() createdBy!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() sha256!: string;
  @ApiProperty() description!: string;
}

export class PromptDiffDto {
  @ApiProperty() name!: string;
  @ApiProperty() from!: number;
  @ApiProperty() to!: number;
  @ApiProperty() added!: number;
  @ApiProperty() removed!: number;
  @ApiProperty({ description: 'every line: op " " | "-" | "+", text, oldLine?, newLine?' }) lines!: DiffLine[];
  @ApiProperty({ description: 'the same as unified diff text (3 lines of context)' }) unified!: string;
}

export class RenderedPromptDto {
  @ApiProperty() name!: string;
  @ApiPropertyOptional() version?: number;
  @ApiProperty() system!: string;
  @ApiProperty() user!: string;
  @ApiProperty() messages!: Array<{ role: string; content: string }>;
  @ApiProperty() parameters!: GenerationParameters;
  @ApiProperty() chunksIncluded!: Record<string, number[]>;
  @ApiProperty() chunksTrimmed!: Record<string, number[]>;
  @ApiPropertyOptional() tokens?: number;
}

/** A preview of an unsaved source: the render, and the variables that source declares (for the editor's panel). */
export class PreviewedPromptDto extends RenderedPromptDto {
  @ApiProperty() variables!: Record<string, VariableSpec>;
}

export function mapSummary(t: TemplateRecord): PromptSummaryDto {
  return {
    name: t.name,
    description: t.description,
    task: t.task,
    language: t.language,
    shipped: t.shipped,
    activeVersion: t.activeVersion,
    latestVersion: t.latestVersion,
    updatedAt: t.updatedAt.toISOString(),
  };
}

export function mapPrompt(t: TemplateRecord, v: VersionRecord, def: TemplateDefinition): PromptDto {
  return {
    ...mapSummary(t),
    description: def.description,
    task: def.task,
    language: def.language,
    version: v.version,
    variables: def.variables,
    parameters: def.parameters,
    body: def.body,
    source: v.source,
  };
}

export function mapVersion(v: VersionRecord, activeVersion: number): PromptVersionDto {
  return {
    version: v.version,
    active: v.version === activeVersion,
    origin: v.origin,
    createdBy: v.createdBy,
    createdAt: v.createdAt.toISOString(),
    sha256: v.sha256,
    description: v.description,
  };
}

export const mapRendered = (r: RenderedPrompt): RenderedPromptDto => ({ ...r });
