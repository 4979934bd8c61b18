import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, Roles, type AuthContext } from '../../auth';
import { CreateRunDto, ListRunsQueryDto, RunDto } from './dto/run.dto';
import { FinetuneRunsService } from './finetune-runs.service';
import { streamRunEvents } from './run-events';

@ApiTags('finetune')
@ApiBearerAuth()
@Controller('api/finetune/runs')
export class FinetuneRunsController {
  constructor(private readonly runs: FinetuneRunsService) {}

  @Post()
  @Roles('editor')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RunDto, description: 'stored and queued; follow it with GET /:id or /:id/events' })
  create(@Auth() auth: AuthContext, @Body() dto: CreateRunDto) {
    return this.runs.create(auth, dto);
  }

  @Get()
  @ApiOkResponse({ type: [RunDto] })
  list(@Query() query: ListRunsQueryDto) {
    return this.runs.list(null, query.limit);
  }

  @Get(':id')
  @ApiOkResponse({ type: RunDto })
  get(@Param('id') id: string) {
    return this.runs.get(id);
  }

  @Get(':id/events')
  @ApiProduces('text/event-stream')
  events(@Param('id') id: string, @Res() res: Response) {
    return streamRunEvents(this.runs, id, undefined, res);
  }

  @Delete(':id')
  @Roles('editor')
  @ApiOkResponse({ description: '{id, removed: [paths], kept: [merged checkpoints a registered model uses as its source]}' })
  remove(@Param('id') id: string) {
    return this.runs.remove(id);
  }

  @Post(':id/cancel')
  @Roles('editor')
  @HttpCode(200)
  @ApiOkResponse({ type: RunDto })
  cancel(@Param('id') id: string) {
    return this.runs.cancel(id);
  }
}
