import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

export const ANSWER_MODES = ['generative', 'extractive', 'no-evidence'] as const;
export type AnswerMode = (typeof ANSWER_MODES)[number];
/** The Q&A templates declare `question` with this maxLength. */
export const MAX_QUESTION_CHARS = 8000;

export class AskRequestDto {
  @ApiProperty({ example: '漠河机场的投资金额是多少？', maxLength: MAX_QUESTION_CHARS })
  @IsString()
  @Matches(/\S/, { message: 'question must not be empty' })
  @MaxLength(MAX_QUESTION_CHARS)
  question!: string;

  @ApiPropertyOptional({ type: [String], description: 'Knowledge base ids (default: every one the key may read)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  knowledgeBases?: string[];

  @ApiPropertyOptional({ description: 'Prompt template name (default: the qa template in the question\'s language)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  template?: string;

  @ApiPropertyOptional({ description: 'Model name or name@version (default: the default model; none registered: extractive mode)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;

  @ApiPropertyOptional({ description: 'Continue this conversation (the follow-up is rewritten into a standalone question for retrieval)' })
  @IsOptional()
  @IsUUID()
  conversationId?: string;

  @ApiPropertyOptional({ description: 'Server-sent events: meta, token..., done' })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({ default: 6, minimum: 1, maximum: 20, description: 'Chunks retrieved' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  k?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 4096, description: 'Longest answer in tokens (default: the template\'s)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4096)
  maxTokens?: number;
}

export class CitationDto {
  @ApiProperty({ description: 'The number the answer cites, [index]' }) index!: number;
  @ApiProperty() document!: string;
  @ApiProperty() documentId!: string;
  @ApiProperty() knowledgeBaseId!: string;
  @ApiProperty() chunkId!: string;
  @ApiPropertyOptional() page?: number;
  @ApiPropertyOptional({ type: [Number] }) pages?: number[];
  @ApiPropertyOptional() sheet?: string;
  @ApiPropertyOptional() cells?: string;
  @ApiPropertyOptional({ type: [String] }) headingPath?: string[];
  @ApiProperty() text!: string;
}

export class AskResponseDto {
  @ApiProperty() answer!: string;
  @ApiProperty({ enum: ANSWER_MODES }) mode!: AnswerMode;
  @ApiProperty() language!: 'zh' | 'en';
  @ApiProperty({ type: [CitationDto], description: 'The chunks the answer cites' }) citations!: CitationDto[];
  @ApiProperty({ type: [Number], description: 'Numbers of the cited chunks' }) cited!: number[];
  @ApiProperty({ type: [Number], description: 'Numbers the model wrote that named no supplied chunk (removed from the answer)' }) removedCitations!: number[];
  @ApiProperty({ type: [CitationDto], description: 'Every chunk given as evidence (cited or not)' }) sources!: CitationDto[];
  @ApiProperty({ description: 'The question retrieval ran (a follow-up rewritten as a standalone question)' }) standaloneQuestion!: string;
  @ApiProperty() conversationId!: string;
  @ApiPropertyOptional() model?: string;
  @ApiPropertyOptional() template?: string;
  @ApiPropertyOptional({ type: [Number] }) chunksTrimmed?: number[];
}
