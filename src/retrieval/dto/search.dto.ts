import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_K, MAX_QUERY_CHARS, type SearchHit } from '../store/retrieval.engine';
import { SEARCH_MODES, type SearchMode } from '../rank/search-options';

export class SearchRequestDto {
  @ApiProperty({ example: '漠河机场的投资金额是多少', maxLength: MAX_QUERY_CHARS })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_QUERY_CHARS)
  query!: string;

  @ApiPropertyOptional({ type: [String], description: 'Knowledge base ids to search (default: every one the key may read)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  knowledgeBases?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Only these documents' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  documents?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Only chunks carrying every one of these tags' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  tags?: string[];

  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: MAX_K })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_K)
  k?: number;

  @ApiPropertyOptional({ enum: SEARCH_MODES, default: 'hybrid' })
  @IsOptional()
  @IsIn(SEARCH_MODES as SearchMode[])
  mode?: SearchMode;

  @ApiPropertyOptional({ default: false, description: 'Reorder the fused top 50 with the cross-encoder of RETRIEVAL_RERANKER_DIR (400 when none is configured)' })
  @IsOptional()
  @IsBoolean()
  rerank?: boolean;
}

export class SearchHitDto {
  @ApiProperty() chunkId!: string;
  @ApiProperty() score!: number;
  @ApiProperty() knowledgeBaseId!: string;
  @ApiProperty() documentId!: string;
  @ApiProperty() documentName!: string;
  @ApiProperty() chunkIndex!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ type: [String] }) headingPath!: string[];
  @ApiPropertyOptional({ type: [Number] }) pages?: number[];
  @ApiPropertyOptional({ type: [String] }) sheets?: string[];
  @ApiPropertyOptional({ type: [String] }) cellRanges?: string[];
  @ApiProperty({ type: [String] }) tags!: string[];
}

export class SearchResponseDto {
  @ApiProperty() mode!: SearchMode;
  @ApiProperty({ description: 'The embedder whose vectors were searched (the primary one in lexical mode)' }) embedder!: string;
  @ApiProperty({ type: [String], description: 'Every embedder searched: more than one while a knowledge base switches embedders' }) embedders!: string[];
  @ApiPropertyOptional({ nullable: true, type: String }) reranker!: string | null;
  @ApiProperty({ type: [SearchHitDto] }) results!: SearchHitDto[];
}

const list = <T>(v: unknown): T[] | undefined => (Array.isArray(v) && v.length ? (v as T[]) : undefined);

export function mapSearchHit(h: SearchHit): SearchHitDto {
  const p = h.provenance ?? {};
  return {
    chunkId: h.chunkId,
    score: h.score,
    knowledgeBaseId: h.knowledgeBaseId,
    documentId: h.documentId,
    documentName: h.documentName,
    chunkIndex: h.chunkIndex,
    text: h.text,
    headingPath: list<string>(p.headingPath) ?? [],
    pages: list<number>(p.pages),
    sheets: list<string>(p.sheets),
    cellRanges: list<string>(p.cellRanges),
    tags: h.tags,
  };
}
