import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class ChangeEmbedderDto {
  @ApiProperty({ example: 'onnx:bge-small-zh', description: 'An id from `available` of GET /api/knowledge-bases/:id/embedder' })
  @IsString()
  @Length(1, 200)
  embedder!: string;
}

export class KnowledgeBaseEmbedderDto {
  @ApiProperty() knowledgeBaseId!: string;
  @ApiProperty({ description: 'The embedder its vectors belong to (new knowledge bases: the primary embedder)' })
  embedder!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The embedder a running re-embedding job moves it to' })
  pendingEmbedder!: string | null;
  @ApiProperty({ type: [String], description: 'Embedders this server has loaded; the first is the one new knowledge bases get' })
  available!: string[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The re-embedding job this request started (GET /api/jobs/:id)' })
  jobId?: string | null;
}
