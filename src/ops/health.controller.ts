import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../config';
import { databaseKind } from '../database/data-source.factory';
import { JobQueue } from '../jobs/job-queue';
import { QueueHealth } from '../jobs/job.types';

interface ComponentHealth {
  status: 'ok' | 'error';
  driver: string;
  latencyMs?: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok';
  database: ComponentHealth;
  queue: QueueHealth;
}

const CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);
}

@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 200 when the database and the queue answer; 503 (the usual error body, with the report in details) otherwise. */
  @Get()
  @Public()
  @SkipThrottle()
  @ApiOperation({ summary: 'Liveness and readiness: database and job queue' })
  async check(): Promise<HealthReport> {
    const [database, queue] = await Promise.all([this.checkDatabase(), this.checkQueue()]);
    if (database.status === 'ok' && queue.status === 'ok') return { status: 'ok', database, queue };
    const failing = [database.status !== 'ok' ? `database: ${database.error}` : '', queue.status !== 'ok' ? `queue: ${queue.error}` : '']
      .filter(Boolean)
      .join('; ');
    throw new ServiceUnavailableException({ message: `unhealthy: ${failing}`, details: { database, queue } });
  }

  private async checkDatabase(): Promise<ComponentHealth> {
    const driver = databaseKind(this.config);
    const started = Date.now();
    try {
      await withTimeout(this.db.query('SELECT 1'), 'the database');
      return { status: 'ok', driver, latencyMs: Date.now() - started };
    } catch (error) {
      return { status: 'error', driver, error: (error as Error).message };
    }
  }

  private async checkQueue(): Promise<QueueHealth> {
    try {
      return await withTimeout(this.queue.health(), 'the job queue');
    } catch (error) {
      return { status: 'error', driver: this.queue.driver, error: (error as Error).message };
    }
  }
}
