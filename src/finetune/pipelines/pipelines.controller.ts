import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, Roles, type AuthContext } from '../../auth';
import { CreatePipelineDto, ImportAdapterDto, ListRunsQueryDto, RunDto } from '../runs/dto/run.dto';
import { FinetuneRunsService } from '../runs/finetune-runs.service';
import { streamRunEvents } from '../runs/run-events';

/** The one-click pipeline: train ► merge ► evaluate ► quantize + register ► deploy, as one job. */
@ApiTags('finetune')
@ApiBearerAuth()
@Controller('api/finetune/pipelines')
export class PipelinesController {
  constructor(private readonly runs: FinetuneRunsService) {}

  @Post()
  @Roles('editor')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RunDto, description: 'stored and queued; follow it with GET /:id or /:id/events' })
  create(@Auth() auth: AuthContext, @Body() dto: CreatePipelineDto) {
    return this.runs.createPipeline(auth, dto);
  }

  @Get()
  @ApiOkResponse({ type: [RunDto] })
  list(@Query() query: ListRunsQueryDto) {
    return this.runs.list('pipeline', query.limit);
  }

  @Get(':id')
  @ApiOkResponse({ type: RunDto })
  get(@Param('id') id: string) {
    return this.runs.get(id, 'pipeline');
  }

  @Get(':id/events')
  @ApiProduces('text/event-stream')
  events(@Param('id') id: string, @Res() res: Response) {
    return streamRunEvents(this.runs, id, 'pipeline', res);
  }

  @Post(':id/cancel')
  @Roles('editor')
  @HttpCode(200)
  @ApiOkResponse({ type: RunDto })
  cancel(@Param('id') id: string) {
    return this.runs.cancel(id, 'pipeline');
  }
}

/** An adapter trained elsewhere through the same pipeline: import ► merge ► evaluate ► quantize + register ► deploy. */
@ApiTags('finetune')
@ApiBearerAuth()
@Controller('api/finetune/adapters')
export class AdaptersController {
  constructor(private readonly runs: FinetuneRunsService) {}

  @Post()
  @Roles('editor')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RunDto, description: 'a pipeline (kind pipeline) whose first stage is import; follow it at /api/finetune/pipelines/:id' })
  importAdapter(@Auth() auth: AuthContext, @Body() dto: ImportAdapterDto) {
    return this.runs.importAdapter(auth, dto);
  }
}
