import { Worker } from 'node:worker_threads';

/**
 * A STREAM-style triad, a[i] = b[i] + s·c[i] over Float64Arrays, one worker thread per array set,
 * all threads timed together; STREAM counts 24 bytes an element (two reads, one write). The best
 * of `repeats` runs is reported, as STREAM does, so page faults and JIT warm-up of the first pass
 * do not count. Inline worker source keeps it independent of how the package is built.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const n = workerData.elements;
const a = new Float64Array(n), b = new Float64Array(n).fill(1), c = new Float64Array(n).fill(2);
parentPort.on('message', () => {
  const s = 3;
  for (let i = 0; i < n; i++) a[i] = b[i] + s * c[i];
  parentPort.postMessage(a[n - 1]);
});
parentPort.postMessage(0);
`;

export interface BandwidthResult {
  gbPerSecond: number;
  threads: number;
  bytesPerPass: number;
}

export async function measureBandwidth(threads = 2, elementsPerThread = 8 << 20, repeats = 8): Promise<BandwidthResult> {
  const workers = Array.from({ length: threads }, () => new Worker(WORKER, { eval: true, workerData: { elements: elementsPerThread } }));
  const next = (w: Worker) => new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  });
  try {
    await Promise.all(workers.map(next));
    const bytesPerPass = 24 * elementsPerThread * threads;
    let best = 0;
    for (let r = 0; r < repeats; r++) {
      const start = process.hrtime.bigint();
      await Promise.all(
        workers.map((w) => {
          const done = next(w);
          w.postMessage('run');
          return done;
        }),
      );
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      best = Math.max(best, bytesPerPass / seconds / 1e9);
    }
    return { gbPerSecond: best, threads, bytesPerPass };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
