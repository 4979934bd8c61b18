export { createDataSource, databaseKind, DatabaseKind } from './data-source.factory';
export { DatabaseModule } from './database.module';
export {
  CorruptDataDirError,
  DataDirInUseError,
  DatabaseError,
  DatabaseUnavailableError,
} from './database.errors';
export { DataDirLock } from './data-dir.lock';
