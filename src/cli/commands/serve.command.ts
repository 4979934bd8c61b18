import type { Command } from 'commander';
import { Logger } from '@nestjs/common';
import { createHttpApp } from '../../app.factory';
import { configFor } from '../cli-context';
import { UsageError } from '../cli-errors';
import { keepAlive } from '../keep-alive';

/** `zhiku serve`: the HTTP API on PORT (3000), the embedded database unless DATABASE_URL is set. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the API server (http://localhost:3000 by default)')
    .option('-p, --port <port>', 'listen on this port instead of PORT')
    .action(async (flags: { port?: string }, command: Command) => {
      const config = configFor(command);
      const port = flags.port === undefined ? config.port : Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be a whole number from 0 to 65535, got "${flags.port}"`);
      }
      const app = await createHttpApp(config);
      app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
      await app.listen(port, config.host);
      new Logger('Zhiku').log({
        msg: 'listening',
        url: `http://localhost:${port}`,
        startupMs: Math.round(process.uptime() * 1000),
        database: config.databaseUrl ? 'postgres (DATABASE_URL)' : `pglite (${config.dataDir}/pgdata)`,
        queue: config.redisUrl ? 'bullmq (REDIS_URL)' : 'in-process',
      });
      keepAlive();
    });
}
