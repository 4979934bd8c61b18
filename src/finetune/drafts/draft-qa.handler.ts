import { Injectable } from '@nestjs/common';
import { JobHandler, JobName, type JobContext, type JobPayload } from '../../jobs';
import { QaDrafter, type DraftingOutcome } from './qa-drafter';

/** JobName.DraftDatasetQa: a document's chunks → pending drafts of a dataset (src/finetune/drafts). */
@Injectable()
@JobHandler(JobName.DraftDatasetQa)
export class DraftQaHandler implements JobHandler<JobName.DraftDatasetQa> {
  constructor(private readonly drafter: QaDrafter) {}

  run(payload: JobPayload<JobName.DraftDatasetQa>, context: JobContext): Promise<DraftingOutcome> {
    return this.drafter.run(payload, context);
  }
}
