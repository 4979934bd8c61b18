import { Logger } from '@nestjs/common';
import { JobName, JobPayload } from './job-name.enum';
import { JobRunner } from './job-runner';
import {
  EnqueueOptions,
  JobNotFoundError,
  JobRecord,
  JobStateError,
  JobStatus,
  QueueHealth,
  TERMINAL_STATUSES,
} from './job.types';
import { JobsRepository } from './jobs.repository';

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 1000;

/**
 * The one job queue of Zhiku. The jobs table is the ledger (state, progress, attempts, results)
 * whichever transport carries the work: in-process timers by default, BullMQ when REDIS_URL is set.
 * Inject it as `JobQueue`.
 */
export abstract class JobQueue {
  abstract readonly driver: 'in-process' | 'bullmq';
  protected readonly logger = new Logger('Jobs');

  constructor(protected readonly repository: JobsRepository, protected readonly runner: JobRunner) {}

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: EnqueueOptions = {}): Promise<JobRecord> {
    const delayMs = options.delayMs ?? 0;
    const job = await this.repository.insert(
      name,
      payload,
      options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      options.backoffMs ?? DEFAULT_BACKOFF_MS,
      delayMs,
    );
    await this.dispatch(job, delayMs);
    return job;
  }

  async get(id: string): Promise<JobRecord> {
    const job = await this.repository.get(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  list(filter: { status?: JobStatus; name?: string; limit?: number } = {}): Promise<JobRecord[]> {
    return this.repository.list({ ...filter, limit: filter.limit ?? 50 });
  }

  /** A queued job is cancelled at once; a running one is signalled and settles as 'cancelled'. */
  async cancel(id: string): Promise<JobRecord> {
    const job = await this.repository.requestCancel(id);
    if (!job) {
      const existing = await this.get(id);
      throw new JobStateError(`job ${id} is already ${existing.status}; only queued or running jobs can be cancelled`);
    }
    if (job.status === 'running') await this.abortRunning(id);
    return job;
  }

  /** Runs a failed or cancelled job again from its first attempt. */
  async retry(id: string): Promise<JobRecord> {
    const job = await this.repository.resetForRetry(id);
    if (!job) {
      const existing = await this.get(id);
      throw new JobStateError(`job ${id} is ${existing.status}; only failed or cancelled jobs can be retried`);
    }
    await this.dispatch(job, 0);
    return job;
  }

  /** Resolves with the job once it is completed, failed or cancelled (polls the ledger). */
  async waitFor(id: string, timeoutMs = 60_000, pollMs = 100): Promise<JobRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.get(id);
      if (TERMINAL_STATUSES.includes(job.status)) return job;
      if (Date.now() > deadline) throw new JobStateError(`job ${id} is still ${job.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  abstract health(): Promise<QueueHealth>;
  /** Begin taking jobs (api role without Redis, worker role with it). */
  abstract startConsuming(): Promise<void>;
  /** Stop taking jobs; running ones are signalled and put back in the queue. */
  abstract stop(): Promise<void>;
  /** Hand a queued job to the transport. */
  protected abstract dispatch(job: JobRecord, delayMs: number): Promise<void>;
  protected abstract abortRunning(id: string): Promise<void>;
}
