import { GenerationCancelledError, QueueFullError } from '../generator.errors';

interface Waiter {
  grant(): void;
  fail(error: Error): void;
}

interface Lane {
  label: string;
  running: number;
  waiting: Waiter[];
}

/** Give back a slot; calling it twice frees one slot only. */
export type Release = () => void;

/**
 * Bounded concurrency per model with a FIFO of waiters: at most `concurrency` generations of a model
 * run at once, at most `limit` wait behind them (one more is refused with QueueFullError, 429), and
 * the first to wait is the first let in. A waiter whose signal aborts leaves the line at once.
 */
export class FairQueue {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly concurrency: number, private readonly limit: number) {}

  acquire(key: string, label: string, signal: AbortSignal): Promise<Release> {
    if (signal.aborted) return Promise.reject(new GenerationCancelledError());
    const lane = this.lanes.get(key) ?? { label, running: 0, waiting: [] };
    this.lanes.set(key, lane);
    if (lane.running < this.concurrency) {
      lane.running++;
      return Promise.resolve(this.releaser(key, lane));
    }
    if (lane.waiting.length >= this.limit) return Promise.reject(new QueueFullError(label, lane.running, lane.waiting.length));
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const at = lane.waiting.indexOf(waiter);
        if (at >= 0) lane.waiting.splice(at, 1);
        reject(new GenerationCancelledError());
      };
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.releaser(key, lane));
        },
        fail: reject,
      };
      lane.waiting.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Running and waiting generations of one model (for tests and metrics). */
  stats(key: string): { running: number; waiting: number } {
    const lane = this.lanes.get(key);
    return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
  }

  /** Every model with running or waiting generations, by its label. */
  lanesInUse(): Array<{ label: string; running: number; waiting: number }> {
    return [...this.lanes.values()].map((l) => ({ label: l.label, running: l.running, waiting: l.waiting.length }));
  }

  private releaser(key: string, lane: Lane): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = lane.waiting.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the line.
      if (next) next.grant();
      else lane.running--;
      if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(key);
    };
  }
}
