import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { BullMqQueue } from './bullmq.queue';
import { JobQueue } from './job-queue';

export const JOBS_CONSUME = Symbol('JOBS_CONSUME');
export const JOBS_HTTP = Symbol('JOBS_HTTP');

/** Connects the transport at start of the api and worker roles (failing start-up if Redis is down), consumes in the roles that do, stops first at shutdown. */
@Injectable()
export class JobsLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly queue: JobQueue,
    @Inject(JOBS_CONSUME) private readonly consume: boolean,
    @Inject(JOBS_HTTP) private readonly http: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.queue instanceof BullMqQueue && (this.consume || this.http)) await this.queue.connect();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.consume) await this.queue.startConsuming();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.stop();
  }
}
