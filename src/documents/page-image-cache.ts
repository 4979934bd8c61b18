import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';

/** What the endpoint sends beside the PNG; kept with it so a cache hit needs no PDF opened. */
export interface PageImageMeta {
  width: number;
  height: number;
  pages: number;
  pageWidth: number;
  pageHeight: number;
}

export interface CachedPageImage {
  png: Buffer;
  meta: PageImageMeta;
}

/** Bumped when rendering changes, so pictures made by an older renderer are neither served nor revalidated. */
export const RENDER_VERSION = 1;

/** 256 MiB: about 1,200 pages at the default width (a text page is 100-250 KB as palette PNG). */
export const PAGE_CACHE_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Rendered pages on disk, `FILES_DIR/.page-cache/<sha256>/p<page>-w<width>-r<version>.png` with a
 * `.json` of its sizes beside it. Keyed by content, not document: a file uploaded to three
 * knowledge bases is rendered once, and removing the original removes its folder (FileStore.remove).
 * Bounded by size: past the bound the least recently used pictures go (a hit touches its mtime).
 * Files are written under a temporary name and renamed, so a reader never sees half a picture.
 */
@Injectable()
export class PageImageCache {
  private knownBytes: number | undefined;
  /** A field rather than configuration: no deployment has asked to tune it yet. */
  maxBytes = PAGE_CACHE_MAX_BYTES;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  static dirOf(filesDir: string, sha256: string): string {
    return path.join(filesDir, '.page-cache', sha256);
  }

  get root(): string {
    return path.join(this.config.filesDir, '.page-cache');
  }

  async get(sha256: string, page: number, width: number): Promise<CachedPageImage | undefined> {
    const base = this.baseOf(sha256, page, width);
    try {
      const [png, meta] = await Promise.all([readFile(`${base}.png`), readFile(`${base}.json`, 'utf8')]);
      const now = new Date();
      await utimes(`${base}.png`, now, now).catch(() => undefined);
      return { png, meta: JSON.parse(meta) as PageImageMeta };
    } catch {
      return undefined;
    }
  }

  async put(sha256: string, page: number, width: number, image: CachedPageImage): Promise<void> {
    const base = this.baseOf(sha256, page, width);
    await mkdir(path.dirname(base), { recursive: true });
    // The sizes first: a picture without them would be read as a miss and rendered again anyway.
    await writeAtomically(`${base}.json`, JSON.stringify(image.meta));
    await writeAtomically(`${base}.png`, image.png);
    // The first write measures the folder (this picture included); later ones count on from there.
    this.knownBytes = this.knownBytes === undefined ? (await this.measure()).total : this.knownBytes + image.png.length;
    if (this.knownBytes > this.maxBytes) await this.evict();
  }

  /** Drops least recently used pictures until the cache is at 80% of its bound. */
  private async evict(): Promise<void> {
    const { total, files } = await this.measure();
    let bytes = total;
    files.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const file of files) {
      if (bytes <= this.maxBytes * 0.8) break;
      await rm(file.path, { force: true });
      await rm(file.path.replace(/\.png$/, '.json'), { force: true });
      bytes -= file.size;
    }
    this.knownBytes = bytes;
  }

  /** Several processes may share the folder: the size on disk, not this process's count, decides. */
  private async measure(): Promise<{ total: number; files: { path: string; size: number; mtimeMs: number }[] }> {
    const files: { path: string; size: number; mtimeMs: number }[] = [];
    for (const dir of await readdir(this.root).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(this.root, dir)).catch(() => [] as string[])) {
        if (!name.endsWith('.png')) continue;
        const file = path.join(this.root, dir, name);
        const info = await stat(file).catch(() => undefined);
        if (info) files.push({ path: file, size: info.size, mtimeMs: info.mtimeMs });
      }
    }
    return { total: files.reduce((sum, f) => sum + f.size, 0), files };
  }

  private baseOf(sha256: string, page: number, width: number): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(PageImageCache.dirOf(this.config.filesDir, sha256), `p${page}-w${width}-r${RENDER_VERSION}`);
  }
}

async function writeAtomically(file: string, data: string | Buffer): Promise<void> {
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
