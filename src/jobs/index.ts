export { JobHandler } from './job-handler.decorator';
export { JobName, JobPayload, JobPayloads } from './job-name.enum';
export { JobQueue } from './job-queue';
export { JobsModule } from './jobs.module';
export { EnqueueOptions, JobContext, JobNotFoundError, JobRecord, JobStateError, JobStatus } from './job.types';
