import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, Roles, type AuthContext } from '../auth';
import { CreateKnowledgeBaseDto, KnowledgeBaseDto, UpdateKnowledgeBaseDto } from './dto/knowledge-base.dto';
import { KnowledgeBasesService } from './knowledge-bases.service';

@ApiTags('knowledge bases')
@ApiBearerAuth()
@Controller('api/knowledge-bases')
export class KnowledgeBasesController {
  constructor(private readonly knowledgeBases: KnowledgeBasesService) {}

  @Get()
  list(@Auth() auth: AuthContext): Promise<KnowledgeBaseDto[]> {
    return this.knowledgeBases.list(auth);
  }

  @Get(':id')
  get(@Auth() auth: AuthContext, @Param('id') id: string): Promise<KnowledgeBaseDto> {
    return this.knowledgeBases.get(auth, id);
  }

  @Post()
  @Roles('editor')
  create(@Auth() auth: AuthContext, @Body() dto: CreateKnowledgeBaseDto): Promise<KnowledgeBaseDto> {
    return this.knowledgeBases.create(auth, dto);
  }

  @Patch(':id')
  @Roles('editor')
  update(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: UpdateKnowledgeBaseDto): Promise<KnowledgeBaseDto> {
    return this.knowledgeBases.update(auth, id, dto);
  }

  @Delete(':id')
  @Roles('editor')
  delete(@Auth() auth: AuthContext, @Param('id') id: string): Promise<KnowledgeBaseDto> {
    return this.knowledgeBases.delete(auth, id);
  }
}
