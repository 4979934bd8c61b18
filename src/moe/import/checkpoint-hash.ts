import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Files whose bytes define a checkpoint's weights and shape; tokenizer files are not weights. */
function weightFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f === 'config.json' || f.endsWith('.safetensors') || f === 'model.safetensors.index.json')
    .sort();
}

/**
 * sha-256 over each weight file's name and bytes, in name order: the same checkpoint hashes the
 * same wherever it is copied to. Read in 8 MiB chunks, so a multi-gigabyte shard is never in memory.
 */
export function hashCheckpoint(dir: string, onBytes?: (done: number, total: number) => void): string {
  const files = weightFiles(dir);
  const total = files.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(8 << 20);
  let done = 0;
  for (const file of files) {
    hash.update(`${file}\0`);
    const fd = fs.openSync(path.join(dir, file), 'r');
    try {
      for (;;) {
        const read = fs.readSync(fd, buffer, 0, buffer.length, null);
        if (read === 0) break;
        hash.update(buffer.subarray(0, read));
        done += read;
        onBytes?.(done, total);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  return hash.digest('hex');
}
