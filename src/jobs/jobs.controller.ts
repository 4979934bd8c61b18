import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { DiagnosticJobDto, JobView, ListJobsQueryDto, mapJob } from './dto/jobs.dto';
import { JobName } from './job-name.enum';
import { JobQueue } from './job-queue';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/jobs')
export class JobsController {
  constructor(private readonly queue: JobQueue) {}

  @Get()
  @Roles('editor')
  @ApiOperation({ summary: 'Recent jobs, newest first' })
  async list(@Query() query: ListJobsQueryDto): Promise<JobView[]> {
    return (await this.queue.list(query)).map(mapJob);
  }

  @Get(':id')
  @Roles('editor')
  async get(@Param('id') id: string): Promise<JobView> {
    return mapJob(await this.queue.get(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('editor')
  @ApiOperation({ summary: 'Cancel a queued or running job' })
  async cancel(@Param('id') id: string): Promise<JobView> {
    return mapJob(await this.queue.cancel(id));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Roles('editor')
  @ApiOperation({ summary: 'Run a failed or cancelled job again' })
  async retry(@Param('id') id: string): Promise<JobView> {
    return mapJob(await this.queue.retry(id));
  }

  @Post('diagnostic')
  @Roles('admin')
  @ApiOperation({ summary: 'Enqueue a diagnostic job that proves workers run jobs (progress, retry, cancel)' })
  async diagnostic(@Body() body: DiagnosticJobDto): Promise<JobView> {
    const job = await this.queue.enqueue(
      JobName.SystemDiagnostic,
      { durationMs: body.durationMs ?? 1000, failAttempts: body.failAttempts, note: body.note },
      { maxAttempts: body.maxAttempts, backoffMs: body.backoffMs },
    );
    return mapJob(job);
  }
}
