import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSourceOptions } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config';
import { createDataSource } from './data-source.factory';

export interface DatabaseModuleOptions {
  runMigrations: boolean;
}

/** dataSourceFactory cannot inject, so the config travels inside the options it receives. */
type OptionsWithConfig = TypeOrmModuleOptions & { zhikuConfig: AppConfig };

/**
 * The TypeORM connection for every role (api, worker, cli). Feature modules register their
 * entities with `TypeOrmModule.forFeature([...])` and get them here through autoLoadEntities.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          // No retries: a database that does not answer is reported at once with a clear message.
          useFactory: (config: AppConfig): OptionsWithConfig => ({
            type: 'postgres',
            autoLoadEntities: true,
            toRetry: () => false,
            zhikuConfig: config,
          }),
          dataSourceFactory: async (typeormOptions?: DataSourceOptions) => {
            const { zhikuConfig, entities } = typeormOptions as unknown as OptionsWithConfig & DataSourceOptions;
            return createDataSource(zhikuConfig, { entities, runMigrations: options.runMigrations });
          },
        }),
      ],
    };
  }
}
