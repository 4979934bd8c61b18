import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataDirInUseError } from './database.errors';

const LOCK_FILE = 'zhiku.lock';
/** Lock files this process holds now: a second open of the same directory in-process is refused too. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive claim on an embedded data directory: a lock file holding our pid. A lock left by a
 * process that has died is taken over; one held by a live process is refused with DataDirInUseError.
 * A lock file naming this process but not held by it is left over from an earlier open and taken over.
 */
export class DataDirLock {
  private released = false;
  private constructor(readonly file: string) {}

  static acquire(dataDir: string): DataDirLock {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
        heldHere.add(file);
        return new DataDirLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
      const live = holder === process.pid ? heldHere.has(file) : Number.isInteger(holder) && holder > 0 && isAlive(holder);
      if (live) throw new DataDirInUseError(dataDir, holder);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
    throw new Error(`could not create the lock file ${file}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.file);
    try {
      if (fs.readFileSync(this.file, 'utf8').trim() === String(process.pid)) fs.rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
  }
}
