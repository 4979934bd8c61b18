import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from '../moe.errors';
import type { Tensor } from '../model/model-weights';
import { DTYPE_BYTES, isSupportedDtype, SafetensorsDtype, widenToFloat32 } from './dtype';

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute byte offset of the first element in the file. */
  readonly start: number;
  readonly byteLength: number;
}

/** A header larger than this is not a real checkpoint header (the format caps it at 100 MB). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** readSync moves at most ~2 GiB per call; stay well under it. */
const MAX_READ_CHUNK = 1 << 30;

/**
 * One .safetensors file. The header is parsed and checked on open; tensor data stays on disk and is
 * read with positioned reads when a tensor (or a slice of one, such as one expert of a packed tensor)
 * is asked for, so a multi-gigabyte shard never sits in memory whole.
 */
export class SafetensorsFile {
  private fd: number | null;
  /** Tensor bytes read so far and the positioned reads that read them (diagnostics, tests). */
  readonly stats = { bytesRead: 0, reads: 0 };

  private constructor(
    readonly path: string,
    fd: number,
    readonly entries: ReadonlyMap<string, SafetensorsEntry>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {
    this.fd = fd;
  }

  static open(filePath: string): SafetensorsFile {
    let fd: number;
    try {
      fd = fs.openSync(filePath, 'r');
    } catch (error) {
      throw new CheckpointError(`cannot open safetensors file ${filePath}: ${(error as Error).message}`);
    }
    try {
      const { entries, metadata } = readHeader(fd, filePath);
      return new SafetensorsFile(filePath, fd, entries, metadata);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  entry(name: string): SafetensorsEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new CheckpointError(`tensor ${name} is not in ${this.path}`);
    return entry;
  }

  read(name: string): Tensor {
    const entry = this.entry(name);
    return { shape: entry.shape, data: this.readElements(entry, 0, numel(entry.shape)) };
  }

  /** Reads `count` consecutive elements starting at element `first` of the flattened tensor. */
  readElements(entry: SafetensorsEntry, first: number, count: number): Float32Array {
    const width = DTYPE_BYTES[entry.dtype];
    if (first < 0 || first + count > entry.byteLength / width) {
      throw new CheckpointError(`read of elements [${first}, ${first + count}) is outside tensor ${entry.name} in ${this.path}`);
    }
    const bytes = new Uint8Array(count * width);
    this.readBytes(bytes, entry.start + first * width, entry.name);
    return widenToFloat32(bytes, entry.dtype, count);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private readBytes(target: Uint8Array, position: number, tensorName: string): void {
    if (this.fd === null) throw new CheckpointError(`safetensors file ${this.path} is already closed`);
    let done = 0;
    while (done < target.length) {
      const chunk = Math.min(MAX_READ_CHUNK, target.length - done);
      const got = fs.readSync(this.fd, target, done, chunk, position + done);
      if (got === 0) {
        throw new CheckpointError(`tensor ${tensorName} in ${this.path} is cut short: the file ended while reading it`);
      }
      done += got;
      this.stats.reads++;
    }
    this.stats.bytesRead += target.length;
  }
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function readHeader(fd: number, filePath: string): { entries: Map<string, SafetensorsEntry>; metadata: Record<string, string> } {
  const fileSize = fs.fstatSync(fd).size;
  const fail = (why: string) => new CheckpointError(`${filePath} is not a valid safetensors file: ${why}`);
  if (fileSize < 8) throw fail(`it has only ${fileSize} bytes, fewer than the 8-byte header length`);
  const lengthBytes = Buffer.alloc(8);
  fs.readSync(fd, lengthBytes, 0, 8, 0);
  const headerLength = Number(lengthBytes.readBigUInt64LE(0));
  if (headerLength > MAX_HEADER_BYTES) throw fail(`the header claims ${headerLength} bytes`);
  if (8 + headerLength > fileSize) throw fail(`the header claims ${headerLength} bytes but the file has ${fileSize}`);
  const headerBytes = Buffer.alloc(headerLength);
  fs.readSync(fd, headerBytes, 0, headerLength, 8);
  let header: unknown;
  try {
    header = JSON.parse(headerBytes.toString('utf8'));
  } catch (error) {
    throw fail(`the header is not JSON (${(error as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw fail('the header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataSize = fileSize - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    entries.set(name, parseEntry(name, raw, filePath, dataStart, dataSize));
  }
  return { entries, metadata };
}

function parseEntry(name: string, raw: unknown, filePath: string, dataStart: number, dataSize: number): SafetensorsEntry {
  const bad = (why: string) => new CheckpointError(`tensor ${name} in ${filePath}: ${why}`);
  const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (!info || typeof info !== 'object') throw bad('its header entry is not an object');
  if (typeof info.dtype !== 'string') throw bad('its header entry has no dtype');
  if (!isSupportedDtype(info.dtype)) {
    throw bad(`dtype ${info.dtype} is not supported (F32, F16, BF16 and F64 are); convert the checkpoint to one of them`);
  }
  const shape = info.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad('its shape is not a list of sizes');
  const offsets = info.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
    throw bad('its data_offsets are not [begin, end]');
  }
  const [begin, end] = offsets as [number, number];
  const expected = numel(shape) * DTYPE_BYTES[info.dtype];
  if (end - begin !== expected) throw bad(`shape [${shape.join(', ')}] of ${info.dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
  if (end > dataSize) {
    throw bad(`its data ends at byte ${end} of the data section but the file holds only ${dataSize}: the file is truncated`);
  }
  return { name, dtype: info.dtype, shape, start: dataStart + begin, byteLength: end - begin };
}

/**
 * A checkpoint's tensors across one file (model.safetensors) or many shards listed in
 * model.safetensors.index.json. Shard headers are checked on open.
 */
export class SafetensorsCheckpoint {
  private constructor(
    readonly dir: string,
    private readonly files: SafetensorsFile[],
    private readonly byName: ReadonlyMap<string, SafetensorsFile>,
  ) {}

  static open(dir: string): SafetensorsCheckpoint {
    const indexPath = path.join(dir, 'model.safetensors.index.json');
    const single = path.join(dir, 'model.safetensors');
    if (fs.existsSync(indexPath)) return SafetensorsCheckpoint.openSharded(dir, indexPath);
    if (fs.existsSync(single)) return SafetensorsCheckpoint.fromFiles(dir, [single]);
    const found = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort() : [];
    if (found.length === 0) {
      throw new CheckpointError(`no weights in ${dir}: expected model.safetensors or model.safetensors.index.json with its shards`);
    }
    return SafetensorsCheckpoint.fromFiles(dir, found.map((f) => path.join(dir, f)));
  }

  private static openSharded(dir: string, indexPath: string): SafetensorsCheckpoint {
    let weightMap: Record<string, string>;
    try {
      weightMap = JSON.parse(fs.readFileSync(indexPath, 'utf8')).weight_map;
    } catch (error) {
      throw new CheckpointError(`${indexPath} is not valid JSON: ${(error as Error).message}`);
    }
    if (!weightMap || typeof weightMap !== 'object') throw new CheckpointError(`${indexPath} has no weight_map`);
    const files = new Map<string, SafetensorsFile>();
    const byName = new Map<string, SafetensorsFile>();
    try {
      for (const [tensor, shard] of Object.entries(weightMap)) {
        let file = files.get(shard);
        if (!file) {
          const shardPath = path.join(dir, shard);
          if (!fs.existsSync(shardPath)) throw new CheckpointError(`shard ${shard} listed in ${indexPath} for tensor ${tensor} is missing`);
          file = SafetensorsFile.open(shardPath);
          files.set(shard, file);
        }
        if (!file.has(tensor)) throw new CheckpointError(`tensor ${tensor} is listed in ${indexPath} but absent from shard ${file.path}`);
        byName.set(tensor, file);
      }
    } catch (error) {
      for (const file of files.values()) file.close();
      throw error;
    }
    return new SafetensorsCheckpoint(dir, [...files.values()], byName);
  }

  private static fromFiles(dir: string, paths: string[]): SafetensorsCheckpoint {
    const files: SafetensorsFile[] = [];
    const byName = new Map<string, SafetensorsFile>();
    try {
      for (const p of paths) {
        const file = SafetensorsFile.open(p);
        files.push(file);
        for (const name of file.entries.keys()) byName.set(name, file);
      }
    } catch (error) {
      for (const file of files) file.close();
      throw error;
    }
    return new SafetensorsCheckpoint(dir, files, byName);
  }

  get tensorNames(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The file that holds `name`, for error messages and slice reads. */
  fileOf(name: string): SafetensorsFile {
    const file = this.byName.get(name);
    if (!file) throw new CheckpointError(`tensor ${name} is not in the checkpoint at ${this.dir}`);
    return file;
  }

  entry(name: string): SafetensorsEntry {
    return this.fileOf(name).entry(name);
  }

  read(name: string): Tensor {
    return this.fileOf(name).read(name);
  }

  readElements(name: string, first: number, count: number): Float32Array {
    const file = this.fileOf(name);
    return file.readElements(file.entry(name), first, count);
  }

  /** Tensor bytes read from all files so far. */
  get bytesRead(): number {
    return this.files.reduce((sum, file) => sum + file.stats.bytesRead, 0);
  }

  close(): void {
    for (const file of this.files) file.close();
  }
}
