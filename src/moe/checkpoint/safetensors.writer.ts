import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from '../moe.errors';
import { DTYPE_BYTES, narrowFromFloat32, SafetensorsDtype } from './dtype';
import { numel } from './safetensors.reader';

export interface SafetensorsWriteEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Stored type; values are given as float32 and narrowed. Default F32. */
  readonly dtype?: SafetensorsDtype;
  /** The values, or a function producing them when written, so a large model is never whole in memory. */
  readonly data: Float32Array | (() => Float32Array);
}

/**
 * Writes one .safetensors file. Tensors are produced and written one at a time, the header first
 * (its layout needs only shapes), and the file appears under its name only once complete.
 */
export function writeSafetensors(filePath: string, entries: readonly SafetensorsWriteEntry[], metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const entry of entries) {
    if (entry.name in header) throw new CheckpointError(`tensor ${entry.name} is written twice to ${filePath}`);
    const bytes = numel(entry.shape) * DTYPE_BYTES[entry.dtype ?? 'F32'];
    header[entry.name] = { dtype: entry.dtype ?? 'F32', shape: entry.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerJson = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  headerJson += ' '.repeat((8 - ((Buffer.byteLength(headerJson) + 8) % 8)) % 8);
  const headerBytes = Buffer.from(headerJson, 'utf8');
  const lengthBytes = Buffer.alloc(8);
  lengthBytes.writeBigUInt64LE(BigInt(headerBytes.length));

  const partial = `${filePath}.partial`;
  const fd = fs.openSync(partial, 'w');
  try {
    fs.writeSync(fd, lengthBytes);
    fs.writeSync(fd, headerBytes);
    for (const entry of entries) {
      const values = typeof entry.data === 'function' ? entry.data() : entry.data;
      if (values.length !== numel(entry.shape)) {
        throw new CheckpointError(`tensor ${entry.name} has ${values.length} values but shape [${entry.shape.join(', ')}]`);
      }
      const bytes = narrowFromFloat32(values, entry.dtype ?? 'F32');
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
    }
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(partial, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(partial, filePath);
}

/**
 * Writes a checkpoint as shards of at most `maxShardBytes` plus model.safetensors.index.json, the
 * layout Hugging Face uses for large models.
 */
export function writeShardedSafetensors(dir: string, entries: readonly SafetensorsWriteEntry[], maxShardBytes: number): string[] {
  const shards: SafetensorsWriteEntry[][] = [[]];
  let size = 0;
  for (const entry of entries) {
    const bytes = numel(entry.shape) * DTYPE_BYTES[entry.dtype ?? 'F32'];
    if (size > 0 && size + bytes > maxShardBytes) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1].push(entry);
    size += bytes;
  }
  const pad = (n: number) => String(n).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  const names: string[] = [];
  let totalSize = 0;
  shards.forEach((shard, i) => {
    const name = `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`;
    writeSafetensors(path.join(dir, name), shard);
    for (const entry of shard) {
      weightMap[entry.name] = name;
      totalSize += numel(entry.shape) * DTYPE_BYTES[entry.dtype ?? 'F32'];
    }
    names.push(name);
  });
  const index = { metadata: { total_size: totalSize }, weight_map: weightMap };
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify(index, null, 2));
  return names;
}
