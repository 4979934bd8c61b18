import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config';
import { BullMqQueue } from './bullmq.queue';
import { DiagnosticJobHandler } from './handlers/diagnostic.handler';
import { InProcessQueue } from './in-process.queue';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobQueue } from './job-queue';
import { JobRunner } from './job-runner';
import { JobsController } from './jobs.controller';
import { JOBS_CONSUME, JOBS_HTTP, JobsLifecycle } from './jobs.lifecycle';
import { JobsRepository } from './jobs.repository';

export interface JobsModuleOptions {
  /** Whether this process runs jobs (the API without Redis; `zhiku worker` with it). */
  consume: boolean;
  /** Mount /api/jobs (the HTTP role only). */
  http: boolean;
}

/** Global: any feature module can inject JobQueue and add @JobHandler providers of its own. */
@Module({})
export class JobsModule {
  static forRoot(options: JobsModuleOptions): DynamicModule {
    return {
      module: JobsModule,
      global: true,
      imports: [DiscoveryModule],
      controllers: options.http ? [JobsController] : [],
      providers: [
        JobsRepository,
        JobHandlerRegistry,
        JobRunner,
        DiagnosticJobHandler,
        JobsLifecycle,
        { provide: JOBS_CONSUME, useValue: options.consume },
        { provide: JOBS_HTTP, useValue: options.http },
        {
          provide: JobQueue,
          inject: [APP_CONFIG, JobsRepository, JobRunner],
          useFactory: (config: AppConfig, repository: JobsRepository, runner: JobRunner): JobQueue =>
            config.redisUrl
              ? new BullMqQueue(repository, runner, config.redisUrl, config.jobConcurrency)
              : new InProcessQueue(repository, runner, config.jobConcurrency),
        },
      ],
      exports: [JobQueue],
    };
  }
}
