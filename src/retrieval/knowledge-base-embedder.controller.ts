import { Body, Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Roles, type AuthContext } from '../auth';
import { ChangeEmbedderDto, KnowledgeBaseEmbedderDto } from './dto/embedder.dto';
import { RetrievalService } from './retrieval.service';

/** A knowledge base's embedder: a retrieval setting, kept beside (not inside) the documents module's knowledge-base routes. */
@ApiTags('knowledge bases')
@ApiBearerAuth()
@Controller('api/knowledge-bases/:id/embedder')
export class KnowledgeBaseEmbedderController {
  constructor(private readonly retrieval: RetrievalService) {}

  @Get()
  @ApiOperation({ summary: 'The embedder of a knowledge base, the one it is switching to, and those available' })
  @ApiOkResponse({ type: KnowledgeBaseEmbedderDto })
  get(@Auth() auth: AuthContext, @Param('id', ParseUUIDPipe) id: string): Promise<KnowledgeBaseEmbedderDto> {
    return this.retrieval.knowledgeBaseEmbedder(auth, id);
  }

  @Put()
  @Roles('editor')
  @ApiOperation({ summary: 'Switch the embedder; a knowledge base with chunks is re-embedded by a job (jobId)' })
  @ApiOkResponse({ type: KnowledgeBaseEmbedderDto })
  change(@Auth() auth: AuthContext, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ChangeEmbedderDto): Promise<KnowledgeBaseEmbedderDto> {
    return this.retrieval.changeEmbedder(auth, id, dto.embedder);
  }
}
