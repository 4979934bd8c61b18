import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig, redactUrl } from '../config';
import { ALL_MIGRATIONS } from '../../migrations';
import { DataDirLock } from './data-dir.lock';
import { DatabaseError, DatabaseUnavailableError } from './database.errors';
import { openEmbeddedPostgres } from './pglite/embedded-postgres';
import { PGlitePool, pgliteDriverFor } from './pglite/pglite.pool';

export type DatabaseKind = 'pglite' | 'postgres';

export interface CreateDataSourceOptions {
  /** Entity classes; Nest passes the ones registered with TypeOrmModule.forFeature. */
  entities?: DataSourceOptions['entities'];
  /** Run pending migrations right after connecting (start-up of serve, worker and `db migrate`). */
  runMigrations: boolean;
}

export function databaseKind(config: AppConfig): DatabaseKind {
  return config.databaseUrl ? 'postgres' : 'pglite';
}

/** Common options: the schema only ever changes through migrations/. */
function baseOptions(options: CreateDataSourceOptions): Partial<DataSourceOptions> {
  return {
    entities: options.entities ?? [],
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Extensions (vector) are created by migrations, never implicitly (TypeORM would add uuid-ossp).
    installExtensions: false,
    logging: ['error'],
  };
}

async function createEmbedded(config: AppConfig, options: CreateDataSourceOptions): Promise<DataSource> {
  const lock = DataDirLock.acquire(config.dataDir);
  try {
    const db = await openEmbeddedPostgres(config.dataDir);
    const pool = new PGlitePool(db, async () => {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    });
    const dataSource = new DataSource({
      ...baseOptions(options),
      type: 'postgres',
      driver: pgliteDriverFor(pool),
    } as DataSourceOptions);
    await dataSource.initialize();
    return dataSource;
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function createExternal(config: AppConfig, options: CreateDataSourceOptions): Promise<DataSource> {
  const url = config.databaseUrl as string;
  const dataSource = new DataSource({
    ...baseOptions(options),
    type: 'postgres',
    url,
    poolSize: config.databasePoolSize,
    connectTimeoutMS: config.databaseConnectTimeoutMs,
    applicationName: 'zhiku',
  } as DataSourceOptions);
  try {
    await dataSource.initialize();
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    throw new DatabaseUnavailableError(redactUrl(url), err.code ? `${err.code} ${err.message}` : err.message);
  }
  return dataSource;
}

/**
 * The one way Zhiku opens its database: embedded PGlite in DATA_DIR/pgdata (locked to this
 * process) unless DATABASE_URL names an external PostgreSQL with pgvector.
 */
export async function createDataSource(config: AppConfig, options: CreateDataSourceOptions): Promise<DataSource> {
  const dataSource = config.databaseUrl
    ? await createExternal(config, options)
    : await createEmbedded(config, options);
  if (options.runMigrations) {
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      throw new DatabaseError(`database migration failed: ${(error as Error).message}`);
    }
  }
  return dataSource;
}
