import { parentPort } from 'node:worker_threads';
import { quantizeRows } from './quantize-rows';
import { type WorkerTask, WorkerState } from './quantizer-pool';

/** Quantizer thread: quantizes the rows it is sent into shared buffers and flags the slot. */
parentPort?.on('message', (task: WorkerTask) => {
  Atomics.store(task.ctrl, task.slot, WorkerState.Started);
  let state: number = WorkerState.Done;
  try {
    quantizeRows(task.input, task.k, task.spec, task.rowStart, task.rowEnd, task.out);
  } catch {
    state = WorkerState.Failed;
  }
  Atomics.store(task.ctrl, task.slot, state);
  Atomics.notify(task.ctrl, task.slot);
});
