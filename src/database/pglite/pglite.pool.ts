import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';
import { Logger } from '@nestjs/common';

const SLOW_WAIT_MS = 30_000;

type Release = (error?: unknown) => void;
type ConnectCallback = (error: unknown, connection: PGliteConnection | null, release: Release) => void;

/**
 * What TypeORM's postgres driver expects of a `pg` Pool, over one in-process PGlite instance.
 *
 * Why not typeorm-pglite's pool as is: it hands the single PGlite connection to every query runner
 * at once, so a transaction opened by one request silently swallows the queries of concurrent
 * requests (they commit or roll back with it). Here a connection is exclusive from connect() until
 * release(), the way a pool of size 1 behaves on a real server. Consequence: code holding a
 * transaction must run its queries through that transaction's manager, never a second connection.
 */
export class PGlitePool extends EventEmitter {
  private tail: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(private readonly db: PGlite, private readonly onEnd: () => Promise<void>) {
    super();
  }

  connect(callback: ConnectCallback): void {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => turn);
    // A wait this long is almost always code opening a second connection inside a transaction.
    const warning = setTimeout(() => {
      new Logger('Database').warn(
        `waited ${SLOW_WAIT_MS / 1000} s for the embedded database connection; ` +
          'is code inside a transaction querying outside its manager?',
      );
    }, SLOW_WAIT_MS);
    warning.unref();
    void previous.then(() => {
      clearTimeout(warning);
      if (this.ended) {
        release();
        callback(new Error('the embedded database has been closed'), null, () => undefined);
        return;
      }
      let done = false;
      callback(null, new PGliteConnection(this.db), () => {
        if (done) return;
        done = true;
        release();
      });
    });
  }

  end(callback?: (error?: unknown) => void): void {
    this.ended = true;
    this.onEnd().then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }
}

/** One checked-out connection; a `pg` Client look-alike. */
export class PGliteConnection extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  // PGlite 0.5 results already carry pg's `rows`, `rowCount` and `command`, which TypeORM reads.
  async query(sql: string, parameters?: unknown[]): Promise<unknown> {
    if (parameters && parameters.length > 0) return this.db.query(sql, parameters);
    // exec runs multi-statement strings (migrations); TypeORM wants the last statement's result.
    const results = await this.db.exec(sql);
    return results[results.length - 1] ?? { rows: [], rowCount: 0 };
  }
}

/** The `driver` option of a TypeORM postgres DataSource that runs on `pool`. */
export function pgliteDriverFor(pool: PGlitePool): unknown {
  return { Pool: class { constructor() { return pool; } } };
}
