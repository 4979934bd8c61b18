import * as os from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobContext, JobRecord } from './job.types';
import { JobsRepository } from './jobs.repository';

/** Why a running job's signal was aborted. */
export type AbortReason = 'cancelled' | 'shutdown';

export type RunOutcome =
  | { kind: 'completed' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'failed' }
  | { kind: 'cancelled' }
  | { kind: 'interrupted' };

/** host:pid, written to jobs.worker so a restart can tell which running jobs lost their process. */
export const WORKER_ID = `${os.hostname()}:${process.pid}`;

const PROGRESS_WRITE_INTERVAL_MS = 250;

/**
 * Runs one claimed job through its handler and records the outcome; shared by the in-process
 * queue and the BullMQ worker so both keep the same ledger. Retry delay doubles per attempt.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('Jobs');

  constructor(private readonly repository: JobsRepository, private readonly registry: JobHandlerRegistry) {}

  async run(job: JobRecord, controller: AbortController): Promise<RunOutcome> {
    let lastWrite = 0;
    const context: JobContext = {
      jobId: job.id,
      attempt: job.attempts,
      signal: controller.signal,
      progress: async (percent, message) => {
        const now = Date.now();
        if (percent < 100 && now - lastWrite < PROGRESS_WRITE_INTERVAL_MS) return;
        lastWrite = now;
        await this.repository.progress(job.id, Math.max(0, Math.min(100, percent)), message ?? null);
      },
    };
    const started = Date.now();
    this.logger.log({ msg: 'job started', jobId: job.id, job: job.name, attempt: job.attempts });
    try {
      // Inside the try: a row naming a job this build no longer has fails instead of staying 'running'.
      const handler = this.registry.get(job.name);
      const result = await handler.run(job.payload as never, context);
      await this.repository.complete(job.id, result);
      this.logger.log({ msg: 'job completed', jobId: job.id, job: job.name, ms: Date.now() - started });
      return { kind: 'completed' };
    } catch (error) {
      return this.recordFailure(job, controller, error);
    }
  }

  private async recordFailure(job: JobRecord, controller: AbortController, error: unknown): Promise<RunOutcome> {
    const message = error instanceof Error ? error.message : String(error);
    const reason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : undefined;
    if (reason === 'cancelled') {
      await this.repository.finish(job.id, 'cancelled', 'cancelled while running');
      this.logger.log({ msg: 'job cancelled', jobId: job.id, job: job.name });
      return { kind: 'cancelled' };
    }
    if (reason === 'shutdown') {
      await this.repository.requeue(job.id, 'interrupted by shutdown; resumes at next start', 0, true);
      return { kind: 'interrupted' };
    }
    if (job.attempts < job.maxAttempts) {
      const delayMs = job.backoffMs * 2 ** (job.attempts - 1);
      await this.repository.requeue(job.id, `attempt ${job.attempts} failed: ${message}`, delayMs);
      this.logger.warn({ msg: 'job attempt failed; will retry', jobId: job.id, job: job.name, attempt: job.attempts, delayMs, error: message });
      return { kind: 'retry', delayMs };
    }
    await this.repository.finish(job.id, 'failed', `failed after ${job.attempts} attempt(s): ${message}`);
    this.logger.error({ msg: 'job failed', jobId: job.id, job: job.name, attempts: job.attempts, error: message });
    return { kind: 'failed' };
  }

  /**
   * Settles jobs left 'running' by a process on this host that no longer exists (or by this very
   * process, when it is not running them). Returns the ids that went back to the queue.
   */
  async recoverInterrupted(runningHere: ReadonlySet<string>): Promise<string[]> {
    const requeued: string[] = [];
    for (const job of await this.repository.running()) {
      const [host, pidText] = (job.worker ?? '').split(':');
      const pid = Number(pidText);
      if (host !== os.hostname() || !Number.isInteger(pid)) continue;
      const gone = pid === process.pid ? !runningHere.has(job.id) : !processAlive(pid);
      if (!gone) continue;
      const reason = `interrupted: the process running it (${job.worker}) stopped`;
      if (await this.repository.recoverInterrupted(job.id, reason)) requeued.push(job.id);
      this.logger.warn({ msg: 'recovered an interrupted job', jobId: job.id, job: job.name, requeued: requeued.includes(job.id) });
    }
    return requeued;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
