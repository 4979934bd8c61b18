import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Roles, type AuthContext } from '../../auth';
import { mapJob } from '../../jobs/dto/jobs.dto';
import { DraftsService } from './drafts.service';
import { DecideDraftsDto, EditDraftDto, ListDraftsQueryDto, StartDraftingDto } from './dto/drafts.dto';

@ApiTags('datasets')
@ApiBearerAuth()
@Controller('api/datasets/:ref/drafts')
export class DraftsController {
  constructor(private readonly drafts: DraftsService) {}

  @Post()
  @Roles('editor')
  @HttpCode(202)
  @ApiOperation({ summary: "Draft candidate Q&A from a document's chunks with a model (a job); they wait for approval" })
  async start(@Auth() auth: AuthContext, @Param('ref') ref: string, @Body() dto: StartDraftingDto) {
    const { job, model } = await this.drafts.start(auth, ref, dto);
    return { job: mapJob(job), model };
  }

  @Get()
  @ApiOperation({ summary: 'Drafted Q&A of a dataset, oldest first, by status or drafting job' })
  list(@Param('ref') ref: string, @Query() query: ListDraftsQueryDto) {
    return this.drafts.list(ref, query);
  }

  @Patch(':id')
  @Roles('editor')
  edit(@Param('ref') ref: string, @Param('id', ParseUUIDPipe) id: string, @Body() dto: EditDraftDto) {
    return this.drafts.edit(ref, id, dto);
  }

  @Post('approve')
  @Roles('editor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pending drafts become records of the next dataset version (tag "drafted")' })
  approve(@Auth() auth: AuthContext, @Param('ref') ref: string, @Body() dto: DecideDraftsDto) {
    return this.drafts.approve(auth, ref, dto.ids);
  }

  @Post('reject')
  @Roles('editor')
  @HttpCode(200)
  reject(@Auth() auth: AuthContext, @Param('ref') ref: string, @Body() dto: DecideDraftsDto) {
    return this.drafts.reject(auth, ref, dto.ids);
  }
}
