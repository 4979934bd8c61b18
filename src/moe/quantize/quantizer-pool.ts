import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RowOutputs } from './quantize-rows';
import { quantizeRows } from './quantize-rows';
import { type QuantSpec, QuantizationError, blocksPerCol, zeroPointRowBytes } from './quantize.types';

/**
 * Optional worker threads for quantizeMatrix. The API stays synchronous: rows are split between the
 * calling thread and workers writing into SharedArrayBuffers, and the caller blocks on Atomics.wait
 * until every slot is flagged, so graph builders that quantize inline need no change.
 */
export const WorkerState = { Idle: 0, Started: 1, Done: 2, Failed: 3 } as const;

export interface WorkerTask {
  input: Float32Array;
  k: number;
  spec: QuantSpec;
  rowStart: number;
  rowEnd: number;
  out: RowOutputs;
  ctrl: Int32Array;
  slot: number;
}

/** Below this many weights per thread, sharing and copying cost more than they save. */
const MIN_WEIGHTS_PER_THREAD = 1 << 18;
const START_TIMEOUT_MS = 30_000;

let threads = 1;
const workers: Worker[] = [];

/** Threads quantizeMatrix may use (the caller's included); 1, the default, uses no workers. */
export function configureQuantizerThreads(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    throw new QuantizationError(`Quantizer threads must be an integer from 1 to 256, got ${count}.`);
  }
  threads = count;
}

/** Ends the idle worker threads (they are unref'd, so a process may also just exit). */
export async function releaseQuantizerThreads(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
}

export function quantizerThreads(): number {
  return threads;
}

function spawnWorker(): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `quantize.worker${ext}`);
  // Compiled builds run the .js worker; under ts tooling (jest, benches) the worker transpiles .ts with swc.
  const worker =
    ext === '.ts'
      ? new Worker(
          `const fs = require('fs'); const swc = require('@swc/core');
           require.extensions['.ts'] = (m, f) => m._compile(swc.transformSync(fs.readFileSync(f, 'utf8'),
             { filename: f, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code, f);
           require(require('worker_threads').workerData.file);`,
          { eval: true, workerData: { file } },
        )
      : new Worker(file);
  worker.unref();
  return worker;
}

function shared<T extends Uint8Array | Float32Array>(Type: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T {
  return new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT));
}

/** Quantizes on several threads, or returns null when one thread is configured or the matrix is small. */
export function parallelQuantize(data: Float32Array, n: number, k: number, spec: QuantSpec): RowOutputs | null {
  const t = Math.min(threads, n, Math.floor((n * k) / MIN_WEIGHTS_PER_THREAD));
  if (t < 2) return null;
  while (workers.length < t - 1) workers.push(spawnWorker());
  const blocks = blocksPerCol(k, spec.blockSize);
  const input = shared(Float32Array, n * k);
  input.set(data);
  const out: RowOutputs = {
    data: shared(Uint8Array, (n * blocks * spec.blockSize * spec.bits) / 8),
    scales: shared(Float32Array, n * blocks),
    zeroPoints: spec.symmetric ? null : shared(Uint8Array, n * zeroPointRowBytes(blocks, spec.bits)),
  };
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * (t - 1)));
  const chunk = Math.ceil(n / t);
  for (let w = 0; w < t - 1; w++) {
    const task: WorkerTask = { input, k, spec, rowStart: w * chunk, rowEnd: Math.min(n, (w + 1) * chunk), out, ctrl, slot: w };
    workers[w].postMessage(task);
  }
  quantizeRows(input, k, spec, Math.min(n, (t - 1) * chunk), n, out);
  for (let w = 0; w < t - 1; w++) {
    if (Atomics.wait(ctrl, w, WorkerState.Idle, START_TIMEOUT_MS) === 'timed-out') {
      configureQuantizerThreads(1);
      void releaseQuantizerThreads();
      throw new QuantizationError(`Quantizer thread ${w + 1} did not start within ${START_TIMEOUT_MS / 1000} s; quantize with one thread.`);
    }
    while (Atomics.load(ctrl, w) === WorkerState.Started) Atomics.wait(ctrl, w, WorkerState.Started, 1000);
    if (Atomics.load(ctrl, w) === WorkerState.Failed) throw new QuantizationError(`Quantizer thread ${w + 1} failed on rows of [${n}, ${k}].`);
  }
  // Plain (unshared) copies: consumers may hand these to APIs that reject shared memory.
  return { data: out.data.slice(), scales: out.scales.slice(), zeroPoints: out.zeroPoints ? out.zeroPoints.slice() : null };
}
