import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../../common';

export const CHECKPOINT_FILE = 'checkpoint.bin';
const MAGIC = 'ZKCK';
const FORMAT = 1;

/** What a run needs to continue exactly where it stopped. */
export interface TrainingState {
  /** Optimizer updates done. */
  step: number;
  values: Map<string, Float32Array>;
  /** AdamW moments and its own step count (bias correction). */
  optimizer: { step: number; m: Map<string, Float64Array>; v: Map<string, Float64Array> };
  bestValLoss: number | null;
  bestStep: number | null;
  /** Validations in a row without improvement (early stopping). */
  badEvals: number;
  /** LoRA values at the best validation loss, restored at the end when validation ran. */
  best: Map<string, Float32Array> | null;
}

/** A checkpoint could not be written (a full disk, a read-only folder); the previous one is intact. */
export class CheckpointWriteError extends AppError {
  override name = 'CheckpointWriteError';
  constructor(message: string) {
    super(message, 507);
  }
}

/** A checkpoint file exists but cannot be read back. */
export class CheckpointReadError extends AppError {
  override name = 'CheckpointReadError';
  constructor(message: string) {
    super(message, 500);
  }
}

interface Entry {
  name: string;
  part: 'value' | 'm' | 'v' | 'best';
  dtype: 'f32' | 'f64';
  length: number;
  offset: number;
}

/**
 * Writes the state to `dir/checkpoint.bin` atomically: a temporary file is written and fsynced, then
 * renamed over the old one. A failure part-way (ENOSPC) removes the temporary file and leaves the last
 * good checkpoint as it was.
 */
export function saveCheckpoint(
  dir: string,
  state: TrainingState,
  /** fs.writeSync; replaceable so a test can make the disk fill part-way. */
  write: (fd: number, buffer: Uint8Array, offset: number, length: number) => number = fs.writeSync,
): string {
  const entries: Entry[] = [];
  const buffers: Uint8Array[] = [];
  let offset = 0;
  const add = (name: string, part: Entry['part'], data: Float32Array | Float64Array) => {
    entries.push({ name, part, dtype: data instanceof Float64Array ? 'f64' : 'f32', length: data.length, offset });
    buffers.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      buffers.push(new Uint8Array(pad));
      offset += pad;
    }
  };
  for (const [name, v] of state.values) add(name, 'value', v);
  for (const [name, m] of state.optimizer.m) add(name, 'm', m);
  for (const [name, v] of state.optimizer.v) add(name, 'v', v);
  for (const [name, b] of state.best ?? []) add(name, 'best', b);
  const header = Buffer.from(
    JSON.stringify({ format: FORMAT, step: state.step, optimizerStep: state.optimizer.step, bestValLoss: state.bestValLoss, bestStep: state.bestStep, badEvals: state.badEvals, entries }),
    'utf8',
  );
  const head = Buffer.alloc(8);
  head.write(MAGIC, 0, 'ascii');
  head.writeUInt32LE(header.length, 4);
  // The payload starts 8-byte aligned so it can be viewed as Float64Array on read.
  const headerPad = Buffer.alloc((8 - ((8 + header.length) % 8)) % 8);

  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, CHECKPOINT_FILE);
  const temp = `${file}.tmp-${process.pid}`;
  let fd: number | null = null;
  try {
    fd = fs.openSync(temp, 'w');
    for (const chunk of [head, header, headerPad, ...buffers]) {
      let done = 0;
      while (done < chunk.length) done += write(fd, chunk, done, chunk.length - done);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temp, file);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    const previous = fs.existsSync(file) ? 'the previous checkpoint is intact' : 'there is no earlier checkpoint';
    throw new CheckpointWriteError(`could not write the checkpoint of step ${state.step} to ${dir}: ${(e as Error).message}; ${previous}`);
  }
  return file;
}

/** The state saved in `dir`, or null when the run has no checkpoint yet. */
export function loadCheckpoint(dir: string): TrainingState | null {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return null;
  const bytes = fs.readFileSync(file);
  const fail = (why: string) => new CheckpointReadError(`checkpoint ${file} cannot be read (${why}); remove it to train this run from the start`);
  if (bytes.length < 8 || bytes.toString('ascii', 0, 4) !== MAGIC) throw fail('not a Zhiku training checkpoint');
  const headerLength = bytes.readUInt32LE(4);
  let header: { format: number; step: number; optimizerStep: number; bestValLoss: number | null; bestStep: number | null; badEvals: number; entries: Entry[] };
  try {
    header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength));
  } catch (e) {
    throw fail(`bad header: ${(e as Error).message}`);
  }
  if (header.format !== FORMAT) throw fail(`format ${header.format}, this Zhiku reads ${FORMAT}`);
  const start = 8 + headerLength + ((8 - ((8 + headerLength) % 8)) % 8);
  const payload = bytes.subarray(start);
  const state: TrainingState = {
    step: header.step,
    values: new Map(),
    optimizer: { step: header.optimizerStep, m: new Map(), v: new Map() },
    bestValLoss: header.bestValLoss,
    bestStep: header.bestStep,
    badEvals: header.badEvals,
    best: null,
  };
  for (const e of header.entries) {
    const width = e.dtype === 'f64' ? 8 : 4;
    if (e.offset + e.length * width > payload.length) throw fail(`tensor ${e.name} runs past the end of the file`);
    const raw = payload.subarray(e.offset, e.offset + e.length * width);
    // Copy into fresh, aligned memory: the file buffer may be shared and unaligned.
    const data = e.dtype === 'f64' ? new Float64Array(new Uint8Array(raw).buffer) : new Float32Array(new Uint8Array(raw).buffer);
    if (e.part === 'value') state.values.set(e.name, data as Float32Array);
    else if (e.part === 'best') (state.best ??= new Map()).set(e.name, data as Float32Array);
    else state.optimizer[e.part].set(e.name, data as Float64Array);
  }
  return state;
}
