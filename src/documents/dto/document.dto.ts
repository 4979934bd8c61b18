import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DOCUMENT_STATUSES, type ChunkRecord, type DocumentRecord, type DocumentStatus } from '../document.record';

export class DocumentDto {
  @ApiProperty() id!: string;
  @ApiProperty() knowledgeBaseId!: string;
  @ApiProperty() filename!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty() sha256!: string;
  @ApiPropertyOptional({ nullable: true, description: 'format detected from the bytes (pdf, xlsx, ...), once parsed' }) format!: string | null;
  @ApiProperty({ enum: DOCUMENT_STATUSES }) status!: DocumentStatus;
  @ApiProperty({ description: '0-100' }) progress!: number;
  @ApiPropertyOptional({ nullable: true }) progressMessage!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'while status is failed: why, e.g. "encrypted: password required"' }) error!: string | null;
  @ApiPropertyOptional({ nullable: true }) errorCode!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    description:
      'why the most recent ingestion failed, kept until one succeeds; a ready document with lastError is still searchable with the chunks of its previous ingestion',
  })
  lastError!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'machine-readable code of lastError (encrypted, corrupt, missing_original, internal, job_cancelled, ...)' })
  lastErrorCode!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'when that ingestion failed' }) lastErrorAt!: string | null;
  @ApiPropertyOptional({ nullable: true }) pages!: number | null;
  @ApiPropertyOptional({ nullable: true }) blocks!: number | null;
  @ApiProperty() chunks!: number;
  @ApiPropertyOptional({ nullable: true }) characters!: number | null;
  @ApiProperty({ type: [String] }) warnings!: string[];
  @ApiPropertyOptional({ nullable: true }) parseMs!: number | null;
  @ApiPropertyOptional({ nullable: true }) jobId!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional({ nullable: true }) readyAt!: string | null;
}

export class UploadedDocumentDto extends DocumentDto {
  @ApiProperty({ description: 'the same bytes were already in this knowledge base: this is that document, nothing new was stored' })
  duplicate!: boolean;
}

export class UploadResponseDto {
  @ApiProperty({ type: [UploadedDocumentDto] }) documents!: UploadedDocumentDto[];
}

export class UploadFormDto {
  @ApiPropertyOptional({ description: 'password of encrypted PDFs / xlsx / docx in this upload' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  password?: string;
}

export class ReingestDto extends UploadFormDto {}

export class ChunkListQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ChunkDto {
  @ApiProperty() id!: string;
  @ApiProperty() ordinal!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'heading path (and table header) that situate the text' }) context!: string;
  @ApiProperty({ description: 'text, table, list, heading or ocr' }) kind!: string;
  @ApiProperty({ description: 'pages, bboxes, sheets, cellRanges, headingPath, blockIndices' }) provenance!: Record<string, unknown>;
  @ApiProperty() tokenEstimate!: number;
}

export class ChunkListDto {
  @ApiProperty() documentId!: string;
  @ApiProperty() total!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: [ChunkDto] }) chunks!: ChunkDto[];
}

export function mapDocument(d: DocumentRecord): DocumentDto {
  return {
    id: d.id,
    knowledgeBaseId: d.knowledgeBaseId,
    filename: d.filename,
    contentType: d.contentType,
    sizeBytes: d.sizeBytes,
    sha256: d.sha256,
    format: d.format,
    status: d.status,
    progress: d.progress,
    progressMessage: d.progressMessage,
    error: d.error,
    errorCode: d.errorCode,
    lastError: d.lastError,
    lastErrorCode: d.lastErrorCode,
    lastErrorAt: d.lastErrorAt?.toISOString() ?? null,
    pages: d.pages,
    blocks: d.blocks,
    chunks: d.chunkCount,
    characters: d.characters,
    warnings: d.warnings,
    parseMs: d.parseMs,
    jobId: d.jobId,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    readyAt: d.readyAt?.toISOString() ?? null,
  };
}

export function mapChunk(c: ChunkRecord): ChunkDto {
  return { id: c.id, ordinal: c.ordinal, text: c.text, context: c.context, kind: c.kind, provenance: c.provenance, tokenEstimate: c.tokenEstimate };
}
