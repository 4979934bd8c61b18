import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AppConfig, ConfigModule } from './config';
import { ConsoleModule } from './console/console.module';
import { DatabaseModule } from './database/database.module';
import { FEATURE_MODULES } from './features';
import { JobsModule } from './jobs/jobs.module';
import { OpsModule } from './ops/ops.module';

/**
 * The roles one set of modules is started in:
 *  - api: the HTTP server (`zhiku serve`); runs jobs itself unless REDIS_URL sends them to workers;
 *  - worker: `zhiku worker`, consumes BullMQ jobs, no HTTP;
 *  - cli: a short-lived context for one command, runs no jobs.
 */
export type AppRole = 'api' | 'worker' | 'cli';

export interface AppModuleOptions {
  config: AppConfig;
  role: AppRole;
  /** Apply pending migrations on open (default true; `zhiku db migrate` turns it off to report them). */
  runMigrations?: boolean;
  /** Where the api role prints a generated first admin key (stdout by default). */
  printFirstAdmin?: (key: string) => void;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config, role } = options;
    const http = role === 'api';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ runMigrations: options.runMigrations ?? true }),
        // OpsModule before AuthModule: its rate-limit guard must run before the key check.
        ...(http ? [OpsModule] : []),
        AuthModule.forRoot({ http, printFirstAdmin: options.printFirstAdmin }),
        ...(http ? [AuditModule] : []),
        // The admin console's files and page fallback: HTTP only, answered before the API's 404.
        ...(http ? [ConsoleModule] : []),
        JobsModule.forRoot({ http, consume: (role === 'api' && !config.redisUrl) || role === 'worker' }),
        ...FEATURE_MODULES,
      ],
    };
  }
}
