import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, StreamableFile, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { Auth, Roles, type AuthContext } from '../auth';
import { DocumentsService, type IncomingFile } from './documents.service';
import { ChunkListDto, ChunkListQueryDto, DocumentDto, ReingestDto, UploadFormDto, UploadResponseDto } from './dto/document.dto';
import { UploadFilesInterceptor } from './upload-files.interceptor';

@ApiTags('documents')
@ApiBearerAuth()
@Controller('api')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post('knowledge-bases/:id/documents')
  @Roles('editor')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['files'],
      properties: {
        files: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'one or more files, each up to UPLOAD_LIMIT' },
        password: { type: 'string', description: 'password of encrypted files in this upload' },
      },
    },
  })
  @UseInterceptors(UploadFilesInterceptor)
  upload(
    @Auth() auth: AuthContext,
    @Param('id') knowledgeBaseId: string,
    @Req() req: { uploadedFiles?: IncomingFile[] },
    @Body() form: UploadFormDto,
  ): Promise<UploadResponseDto> {
    return this.documents.upload(auth, knowledgeBaseId, req.uploadedFiles ?? [], form.password);
  }

  @Get('knowledge-bases/:id/documents')
  list(@Auth() auth: AuthContext, @Param('id') knowledgeBaseId: string): Promise<DocumentDto[]> {
    return this.documents.list(auth, knowledgeBaseId);
  }

  @Get('documents/:id')
  get(@Auth() auth: AuthContext, @Param('id') id: string): Promise<DocumentDto> {
    return this.documents.get(auth, id);
  }

  @Get('documents/:id/chunks')
  chunks(@Auth() auth: AuthContext, @Param('id') id: string, @Query() query: ChunkListQueryDto): Promise<ChunkListDto> {
    return this.documents.listChunks(auth, id, query.offset, query.limit);
  }

  @Get('documents/:id/file')
  file(@Auth() auth: AuthContext, @Param('id') id: string): Promise<StreamableFile> {
    return this.documents.file(auth, id);
  }

  @Post('documents/:id/reingest')
  @Roles('editor')
  @HttpCode(202)
  reingest(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: ReingestDto): Promise<DocumentDto> {
    return this.documents.reingest(auth, id, dto.password);
  }

  @Delete('documents/:id')
  @Roles('editor')
  delete(@Auth() auth: AuthContext, @Param('id') id: string): Promise<DocumentDto> {
    return this.documents.delete(auth, id);
  }
}
