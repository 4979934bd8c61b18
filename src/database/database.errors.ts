/** Failures to open the database, each with a message that tells the operator what to do. */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
}

/** Another live process holds the embedded data directory (PGlite allows one process at a time). */
export class DataDirInUseError extends DatabaseError {
  override name = 'DataDirInUseError';
  constructor(readonly dataDir: string, readonly pid: number) {
    super(
      `data directory ${dataDir} is in use by process ${pid} (a running server?); stop it or set DATABASE_URL`,
    );
  }
}

/** The embedded data directory exists but PGlite cannot open it. */
export class CorruptDataDirError extends DatabaseError {
  override name = 'CorruptDataDirError';
  constructor(readonly pgDataDir: string, cause: string) {
    super(
      `the embedded database in ${pgDataDir} could not be opened (${cause}); it looks damaged: ` +
        'restore it from a backup, or move it aside to start with an empty database',
    );
  }
}

/** DATABASE_URL did not answer or refused us. */
export class DatabaseUnavailableError extends DatabaseError {
  override name = 'DatabaseUnavailableError';
  constructor(readonly target: string, cause: string) {
    super(`could not connect to the database at ${target}: ${cause}`);
  }
}
