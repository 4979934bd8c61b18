import { Queue, Worker } from 'bullmq';
import IORedis, { Redis } from 'ioredis';
import { JobQueue } from './job-queue';
import { AbortReason, JobRunner, WORKER_ID } from './job-runner';
import { JobRecord, QueueHealth } from './job.types';
import { JobsRepository } from './jobs.repository';

const QUEUE_NAME = 'zhiku-jobs';
const CANCEL_CHANNEL = 'zhiku:jobs:cancel';

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/**
 * Jobs carried by BullMQ on Redis and run by `zhiku worker` processes. BullMQ only transports job
 * ids (one delivery per attempt); state, attempts and backoff stay in the jobs table, so the API
 * and every worker agree on what happened. Cancelling a running job is broadcast over pub/sub.
 */
export class BullMqQueue extends JobQueue {
  readonly driver = 'bullmq' as const;
  private readonly connection: Redis;
  private queue?: Queue;
  private worker?: Worker;
  private subscriber?: Redis;
  private workerConnection?: Redis;
  private readonly running = new Map<string, AbortController>();

  constructor(
    repository: JobsRepository,
    runner: JobRunner,
    private readonly redisUrl: string,
    private readonly concurrency: number,
  ) {
    super(repository, runner);
    // No offline queue: with Redis down an enqueue fails at once instead of hanging.
    this.connection = new IORedis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    this.connection.on('error', () => undefined); // reported through health() and enqueue errors
  }

  /**
   * Fails start-up with a clear message when Redis does not answer. The api and worker roles call
   * it at start; a CLI command only when it first enqueues, so `zhiku keys list` needs no Redis.
   */
  async connect(timeoutMs = 5000): Promise<void> {
    if (this.queue) return;
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
    );
    try {
      await Promise.race([this.connection.connect().then(() => this.connection.ping()), timeout]);
    } catch (error) {
      this.connection.disconnect();
      throw new RedisUnavailableError(`could not connect to Redis at ${this.redisUrl}: ${(error as Error).message}`);
    }
    this.queue = new Queue(QUEUE_NAME, { connection: this.connection });
    this.queue.on('error', () => undefined);
  }

  async startConsuming(): Promise<void> {
    this.subscriber = new IORedis(this.redisUrl, { maxRetriesPerRequest: null });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, id: string) =>
      this.running.get(id)?.abort('cancelled' satisfies AbortReason),
    );
    await this.subscriber.subscribe(CANCEL_CHANNEL);
    this.workerConnection = new IORedis(this.redisUrl, { maxRetriesPerRequest: null });
    this.workerConnection.on('error', () => undefined);
    this.worker = new Worker(QUEUE_NAME, (job) => this.process(job.data.id as string), {
      connection: this.workerConnection,
      concurrency: this.concurrency,
      // A delivery whose worker died is recovered from the ledger, not re-delivered blindly.
      maxStalledCount: 0,
    });
    this.worker.on('error', (error) => this.logger.error({ msg: 'BullMQ worker error', error: error.message }));
    for (const id of await this.runner.recoverInterrupted(new Set(this.running.keys()))) {
      const job = await this.repository.get(id);
      if (job) await this.dispatch(job, 0);
    }
  }

  async stop(): Promise<void> {
    for (const controller of this.running.values()) controller.abort('shutdown' satisfies AbortReason);
    await this.worker?.close(); // waits for process() calls, which re-deliver interrupted jobs
    // Connections handed to BullMQ are ours to close.
    this.workerConnection?.disconnect();
    await this.subscriber?.quit().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
    this.connection.disconnect();
  }

  async health(): Promise<QueueHealth> {
    try {
      await this.connection.ping();
      return { status: 'ok', driver: this.driver, counts: await this.repository.counts() };
    } catch (error) {
      return { status: 'error', driver: this.driver, error: `redis: ${(error as Error).message}` };
    }
  }

  protected async dispatch(job: JobRecord, delayMs: number): Promise<void> {
    if (!this.queue) await this.connect();
    await (this.queue as Queue).add(
      job.name,
      { id: job.id },
      { delay: Math.max(0, delayMs), attempts: 1, removeOnComplete: true, removeOnFail: 1000 },
    );
  }

  protected async abortRunning(id: string): Promise<void> {
    await this.connection.publish(CANCEL_CHANNEL, id);
  }

  private async process(id: string): Promise<void> {
    const job = await this.repository.claim(id, WORKER_ID);
    if (!job) return; // cancelled or already handled
    const controller = new AbortController();
    this.running.set(id, controller);
    try {
      const outcome = await this.runner.run(job, controller);
      if (outcome.kind === 'retry') await this.dispatch(job, outcome.delayMs);
      // Handed back at shutdown: a new delivery lets the next worker pick it up.
      if (outcome.kind === 'interrupted') await this.dispatch(job, 0);
    } finally {
      this.running.delete(id);
    }
  }
}
