import * as fs from 'node:fs';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, AppRole } from './app.module';
import { AuditRecorder } from './audit/audit.recorder';
import { AppConfig, LogLevel } from './config';
import { bodyErrorsMiddleware } from './ops/body-errors.middleware';
import { JsonLogger } from './ops/json.logger';
import { MetricsService } from './ops/metrics.service';
import { requestMetricsMiddleware } from './ops/request-metrics.middleware';
import { setupSwagger } from './ops/swagger';
import { createValidationPipe } from './ops/validation.pipe';

export interface HttpAppOptions {
  printFirstAdmin?: (key: string) => void;
  logger?: JsonLogger;
}

/** Uploaded files and models live here; made up front so a bad path fails at start, not mid-upload. */
function ensureStorageDirs(config: AppConfig): void {
  for (const dir of [config.filesDir, config.modelsDir]) fs.mkdirSync(dir, { recursive: true });
}

/** The API server, fully configured but not listening: `zhiku serve` listens, tests use supertest. */
export async function createHttpApp(config: AppConfig, options: HttpAppOptions = {}): Promise<NestExpressApplication> {
  ensureStorageDirs(config);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ config, role: 'api', printFirstAdmin: options.printFirstAdmin }),
    { bodyParser: false, logger: options.logger ?? new JsonLogger(config.logLevel), abortOnError: false },
  );
  app.disable('x-powered-by');
  app.use(requestMetricsMiddleware(app.get(MetricsService)));
  app.use(app.get(AuditRecorder).middleware());
  // Parsers registered by hand so their errors (bad JSON, too large) meet our handler right after.
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: config.bodyLimitBytes, extended: true });
  app.use(bodyErrorsMiddleware(config.bodyLimitBytes));
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app);
  await app.init();
  return app;
}

/** The same modules without HTTP, for `zhiku worker` and one-shot CLI commands. */
export async function createAppContext(
  config: AppConfig,
  role: Exclude<AppRole, 'api'>,
  options: { runMigrations?: boolean; logLevel?: LogLevel } = {},
): Promise<INestApplicationContext> {
  // CLI output belongs to the command: log lines go to stderr. A failed start is reported once, by
  // the CLI's own "zhiku: <message>" line, so Nest's ExceptionHandler copy of it is dropped.
  const logger = new JsonLogger(options.logLevel ?? config.logLevel, (line) => {
    if (!line.includes('"context":"ExceptionHandler"')) process.stderr.write(`${line}\n`);
  });
  ensureStorageDirs(config);
  const context = await NestFactory.createApplicationContext(
    AppModule.forRoot({ config, role, runMigrations: options.runMigrations }),
    { logger, abortOnError: false },
  );
  await context.init();
  return context;
}
