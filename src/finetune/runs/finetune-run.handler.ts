import { Injectable } from '@nestjs/common';
import { JobHandler, JobName, type JobContext, type JobPayload } from '../../jobs';
import { RunStagesService } from '../pipelines/run-stages.service';

/**
 * JobName.FinetuneRun: one job per run or pipeline, carrying it through its stages. Cancel and
 * shutdown stop training at a step boundary with a checkpoint; the next attempt after a restart
 * resumes from it.
 */
@Injectable()
@JobHandler(JobName.FinetuneRun)
export class FinetuneRunHandler implements JobHandler<JobName.FinetuneRun> {
  constructor(private readonly stages: RunStagesService) {}

  run(payload: JobPayload<JobName.FinetuneRun>, context: JobContext) {
    return this.stages.execute(payload.runId, context);
  }
}
