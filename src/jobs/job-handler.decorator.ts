import { SetMetadata } from '@nestjs/common';
import { JobName, JobPayload } from './job-name.enum';
import { JobContext } from './job.types';

export const JOB_HANDLER_METADATA = 'zhiku:job-handler';

/**
 * Marks a provider as the handler of one job. The class must implement JobHandler<N>:
 *
 *   @Injectable() @JobHandler(JobName.IngestDocument)
 *   export class IngestDocumentHandler implements JobHandler<JobName.IngestDocument> { ... }
 */
export const JobHandler = (name: JobName): ClassDecorator => SetMetadata(JOB_HANDLER_METADATA, name);

export interface JobHandler<N extends JobName> {
  /** Returns the job's result (stored as JSON); throwing fails the attempt. */
  run(payload: JobPayload<N>, context: JobContext): Promise<unknown>;
}
