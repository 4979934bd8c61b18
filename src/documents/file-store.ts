import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { PageImageCache } from './page-image-cache';

export interface StoredFile {
  sha256: string;
  sizeBytes: number;
}

/**
 * Uploaded originals under FILES_DIR, content-addressed: `<sha256[0..2]>/<sha256>`. The same bytes
 * are one file however many documents (in however many knowledge bases) refer to them; the caller
 * removes a file only when no document refers to it any more.
 */
@Injectable()
export class FileStore implements OnModuleInit {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Uploads a crashed process left half-received: older than a day, nobody is still writing them. */
  async onModuleInit(): Promise<void> {
    const entries = await readdir(this.incomingDir).catch(() => [] as string[]);
    const cutoff = Date.now() - 24 * 3600 * 1000;
    for (const name of entries) {
      const file = path.join(this.incomingDir, name);
      const info = await stat(file).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await rm(file, { force: true });
    }
  }

  /** Where uploads land before they are hashed (same file system, so moving them is a rename). */
  get incomingDir(): string {
    return path.join(this.config.filesDir, '.incoming');
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.config.filesDir, sha256.slice(0, 2), sha256);
  }

  static async hashFile(file: string): Promise<StoredFile> {
    const hash = createHash('sha256');
    let sizeBytes = 0;
    await pipeline(createReadStream(file), async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        sizeBytes += chunk.length;
      }
    });
    return { sha256: hash.digest('hex'), sizeBytes };
  }

  /**
   * Moves a hashed upload into the store. A rename replaces a file with the same bytes, so this is
   * right whether or not the file was there; callers do it under the file's lock (see
   * DocumentsRepository.insertWithFile) so a concurrent delete cannot remove it between this and the
   * document row that uses it.
   */
  async place(tempFile: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(tempFile, target);
  }

  open(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256));
  }

  async exists(sha256: string): Promise<boolean> {
    return exists(this.pathOf(sha256));
  }

  /** The original and the page pictures rendered from it (PageImageCache): nothing of it stays. */
  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
    await rm(PageImageCache.dirOf(this.config.filesDir, sha256), { recursive: true, force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
