import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, Roles, type AuthContext } from '../auth';
import { ActivatePromptDto, CreatePromptDto, DiffQueryDto, GetPromptQueryDto, ListPromptsQueryDto, PreviewPromptDto, RenderPromptDto, UpdatePromptDto } from './dto/prompt-request.dto';
import type { PreviewedPromptDto, PromptDiffDto, PromptDto, PromptSummaryDto, PromptVersionDto, RenderedPromptDto } from './dto/prompt-response.dto';
import { PromptsService } from './prompts.service';

@ApiTags('prompts')
@ApiBearerAuth()
@Controller('api/prompts')
export class PromptsController {
  constructor(private readonly prompts: PromptsService) {}

  @Get()
  list(@Auth() auth: AuthContext, @Query() query: ListPromptsQueryDto): Promise<PromptSummaryDto[]> {
    return this.prompts.list(auth, query);
  }

  /** Declared before the :name routes; a template named "preview" is still reached at /api/prompts/preview/render. */
  @Post('preview')
  @Roles('editor')
  @HttpCode(200)
  previewSource(@Auth() auth: AuthContext, @Body() dto: PreviewPromptDto): Promise<PreviewedPromptDto> {
    return this.prompts.previewSource(auth, dto);
  }

  @Get(':name')
  get(@Auth() auth: AuthContext, @Param('name') name: string, @Query() query: GetPromptQueryDto): Promise<PromptDto> {
    return this.prompts.get(auth, name, query.version);
  }

  @Post()
  @Roles('editor')
  create(@Auth() auth: AuthContext, @Body() dto: CreatePromptDto): Promise<PromptDto> {
    return this.prompts.create(auth, dto);
  }

  @Put(':name')
  @Roles('editor')
  update(@Auth() auth: AuthContext, @Param('name') name: string, @Body() dto: UpdatePromptDto): Promise<PromptDto> {
    return this.prompts.update(auth, name, dto);
  }

  @Get(':name/versions')
  versions(@Auth() auth: AuthContext, @Param('name') name: string): Promise<PromptVersionDto[]> {
    return this.prompts.versions(auth, name);
  }

  @Post(':name/activate')
  @Roles('editor')
  @HttpCode(200)
  activate(@Auth() auth: AuthContext, @Param('name') name: string, @Body() dto: ActivatePromptDto): Promise<PromptDto> {
    return this.prompts.activate(auth, name, dto.version);
  }

  @Post(':name/rollback')
  @Roles('editor')
  @HttpCode(200)
  rollback(@Auth() auth: AuthContext, @Param('name') name: string): Promise<PromptDto> {
    return this.prompts.rollback(auth, name);
  }

  @Get(':name/diff')
  diff(@Auth() auth: AuthContext, @Param('name') name: string, @Query() query: DiffQueryDto): Promise<PromptDiffDto> {
    return this.prompts.diff(auth, name, query.from, query.to);
  }

  @Post(':name/render')
  @HttpCode(200)
  render(@Auth() auth: AuthContext, @Param('name') name: string, @Body() dto: RenderPromptDto): Promise<RenderedPromptDto> {
    return this.prompts.preview(auth, name, dto);
  }

  @Delete(':name')
  @Roles('editor')
  delete(@Auth() auth: AuthContext, @Param('name') name: string): Promise<PromptSummaryDto> {
    return this.prompts.delete(auth, name);
  }
}
