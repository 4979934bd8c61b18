import { JobQueue } from './job-queue';
import { AbortReason, JobRunner, WORKER_ID } from './job-runner';
import { JobRecord, QueueHealth } from './job.types';
import { JobsRepository } from './jobs.repository';

/** Longest sleep between looks at the table (catches jobs added by another process on a shared DB). */
const IDLE_POLL_MS = 15_000;
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * The default queue: jobs run inside the API process, claimed from the jobs table with
 * SKIP LOCKED, up to JOB_CONCURRENCY at a time; retries wait for their run_after.
 */
export class InProcessQueue extends JobQueue {
  readonly driver = 'in-process' as const;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private consuming = false;
  private pumping = false;
  private pumpAgain = false;
  private timer?: NodeJS.Timeout;

  constructor(repository: JobsRepository, runner: JobRunner, private readonly concurrency: number) {
    super(repository, runner);
  }

  async startConsuming(): Promise<void> {
    this.consuming = true;
    const requeued = await this.runner.recoverInterrupted(new Set(this.running.keys()));
    if (requeued.length > 0) this.logger.log({ msg: 'resuming interrupted jobs', count: requeued.length });
    void this.pump();
  }

  async stop(): Promise<void> {
    this.consuming = false;
    clearTimeout(this.timer);
    for (const { controller } of this.running.values()) controller.abort('shutdown' satisfies AbortReason);
    const settled = Promise.all([...this.running.values()].map((r) => r.done));
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref())]);
  }

  async health(): Promise<QueueHealth> {
    try {
      return { status: 'ok', driver: this.driver, counts: await this.repository.counts() };
    } catch (error) {
      return { status: 'error', driver: this.driver, error: (error as Error).message };
    }
  }

  protected async dispatch(_job: JobRecord, _delayMs: number): Promise<void> {
    // The row is the work item; a process that does not consume (the CLI) leaves it for the server.
    if (this.consuming) void this.pump();
  }

  protected async abortRunning(id: string): Promise<void> {
    this.running.get(id)?.controller.abort('cancelled' satisfies AbortReason);
  }

  /** Fills free slots with due jobs, then sleeps until the next one is due. Never runs twice at once. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (this.consuming && this.running.size < this.concurrency) {
          const job = await this.repository.claimNext(WORKER_ID);
          if (!job) break;
          this.start(job);
        }
      } while (this.pumpAgain && this.consuming);
      await this.scheduleWake();
    } catch (error) {
      this.logger.error({ msg: 'job queue could not read the jobs table', error: (error as Error).message });
      if (this.consuming) this.setWake(IDLE_POLL_MS);
    } finally {
      this.pumping = false;
    }
  }

  private start(job: JobRecord): void {
    const controller = new AbortController();
    const done = this.runner
      .run(job, controller)
      .catch((error: Error) => this.logger.error({ msg: 'job runner crashed', jobId: job.id, error: error.message }))
      .then(() => {
        this.running.delete(job.id);
        if (this.consuming) void this.pump();
      });
    this.running.set(job.id, { controller, done });
  }

  private async scheduleWake(): Promise<void> {
    // With every slot busy, the next finishing job pumps again; no timer needed.
    if (!this.consuming || this.running.size >= this.concurrency) return;
    const dueIn = await this.repository.nextDueInMs();
    this.setWake(dueIn === null ? IDLE_POLL_MS : Math.min(Math.max(dueIn, 10), IDLE_POLL_MS));
  }

  private setWake(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), ms);
    this.timer.unref();
  }
}
