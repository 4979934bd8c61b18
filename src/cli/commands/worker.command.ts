import type { Command } from 'commander';
import { Logger } from '@nestjs/common';
import { createAppContext } from '../../app.factory';
import { configFor } from '../cli-context';
import { UsageError } from '../cli-errors';
import { keepAlive } from '../keep-alive';

/** `zhiku worker`: consumes BullMQ jobs; run as many as you like beside the API. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run jobs from Redis (BullMQ); needs REDIS_URL, and DATABASE_URL to share the database with the API')
    .action(async (_flags: unknown, command: Command) => {
      const config = configFor(command);
      if (!config.redisUrl) {
        throw new UsageError('zhiku worker needs REDIS_URL; without Redis the API server runs jobs itself');
      }
      const context = await createAppContext(config, 'worker');
      context.enableShutdownHooks(['SIGINT', 'SIGTERM']);
      new Logger('Zhiku').log({ msg: 'worker ready', concurrency: config.jobConcurrency, startupMs: Math.round(process.uptime() * 1000) });
      keepAlive();
    });
}
