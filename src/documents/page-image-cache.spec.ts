import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AppConfig } from '../config';
import { PageImageCache, RENDER_VERSION } from './page-image-cache';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const meta = { width: 10, height: 13, pages: 3, pageWidth: 612, pageHeight: 792 };

describe('PageImageCache', () => {
  let filesDir: string;
  let cache: PageImageCache;
  beforeEach(() => {
    filesDir = mkdtempSync(path.join(tmpdir(), 'page-cache-'));
    cache = new PageImageCache({ filesDir } as AppConfig);
  });
  afterEach(() => rmSync(filesDir, { recursive: true, force: true }));

  it('keeps a picture with its sizes by (sha256, page, width) and misses on any other key', async () => {
    await cache.put(SHA_A, 2, 1000, { png: Buffer.from('png bytes'), meta });
    expect(await cache.get(SHA_A, 2, 1000)).toEqual({ png: Buffer.from('png bytes'), meta });
    expect(await cache.get(SHA_A, 2, 800)).toBeUndefined();
    expect(await cache.get(SHA_A, 3, 1000)).toBeUndefined();
    expect(await cache.get(SHA_B, 2, 1000)).toBeUndefined();
    expect(readdirSync(PageImageCache.dirOf(filesDir, SHA_A)).sort()).toEqual([`p2-w1000-r${RENDER_VERSION}.json`, `p2-w1000-r${RENDER_VERSION}.png`]);
    await expect(cache.get('../../etc', 1, 1000)).rejects.toThrow('not a sha256');
  });

  it('past its bound drops the least recently used pictures down to 80% of it', async () => {
    cache.maxBytes = 1000;
    const kb = Buffer.alloc(300, 1);
    await cache.put(SHA_A, 1, 1000, { png: kb, meta });
    await cache.put(SHA_A, 2, 1000, { png: kb, meta });
    await cache.put(SHA_B, 1, 1000, { png: kb, meta });
    // Page 1 of A was read last, so page 2 of A is the least recently used.
    const old = new Date(Date.now() - 60_000);
    for (const [sha, page] of [[SHA_A, 1], [SHA_A, 2], [SHA_B, 1]] as const) {
      await utimes(path.join(PageImageCache.dirOf(filesDir, sha), `p${page}-w1000-r${RENDER_VERSION}.png`), old, old);
    }
    expect(await cache.get(SHA_A, 1, 1000)).toBeDefined();
    await cache.put(SHA_B, 2, 1000, { png: kb, meta }); // 1200 bytes > 1000: evict to ≤ 800
    expect(await cache.get(SHA_A, 2, 1000)).toBeUndefined();
    expect(await cache.get(SHA_B, 1, 1000)).toBeUndefined();
    expect(await cache.get(SHA_A, 1, 1000)).toBeDefined();
    expect(await cache.get(SHA_B, 2, 1000)).toBeDefined();
    expect(readdirSync(PageImageCache.dirOf(filesDir, SHA_A))).toEqual([`p1-w1000-r${RENDER_VERSION}.json`, `p1-w1000-r${RENDER_VERSION}.png`]);
  });
});
