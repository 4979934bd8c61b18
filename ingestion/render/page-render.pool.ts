import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { IngestionError } from '../core/ingestion.errors';
import type { PageImage, PageImageOptions } from './page-image';
import { deserializeError, type SerializedError } from './worker-errors';

export interface PageRenderPoolOptions {
  /** Threads rendering at once; each holds pdf.js and a canvas of up to 32 MB. */
  size?: number;
  /** An idle thread exits after this long, giving its memory back. */
  idleMs?: number;
  /** A page still rendering after this long is abandoned and its thread replaced. */
  timeoutMs?: number;
}

/** A page that rendered for longer than the pool's timeout (a pathological content stream). */
export class RenderTimeoutError extends IngestionError {
  override readonly name = 'RenderTimeoutError';
  constructor(page: number, timeoutMs: number) {
    super(`page ${page} took longer than ${Math.round(timeoutMs / 1000)} s to render and was abandoned`, 'render_timeout');
  }
}

interface Job {
  id: number;
  bytes: Uint8Array;
  options: PageImageOptions;
  resolve: (image: PageImage) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

type Reply = { id: number; image: Omit<PageImage, 'png'> & { png: Uint8Array }; error?: undefined } | { id: number; error: SerializedError };

/**
 * renderPageImage on worker threads. In Node, pdf.js runs its "worker" (parsing, image decoding) on
 * the calling thread, and one page of figures held the event loop for up to a second in our
 * measurements: on an HTTP server that is every other request waiting. Here the server's thread
 * only posts the bytes and receives the PNG.
 */
export class PageRenderPool {
  private readonly size: number;
  private readonly idleMs: number;
  private readonly timeoutMs: number;
  private readonly slots = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: PageRenderPoolOptions = {}) {
    this.size = options.size ?? 2;
    this.idleMs = options.idleMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  render(bytes: Uint8Array, options: PageImageOptions): Promise<PageImage> {
    if (this.closed) return Promise.reject(new Error('the page render pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, bytes, options, resolve, reject });
      this.dispatch();
    });
  }

  /** Ends every thread; jobs still waiting are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the page render pool is closed'));
    await Promise.all([...this.slots].map((slot) => this.retire(slot, new Error('the page render pool is closed'))));
  }

  private dispatch(): void {
    while (this.queue.length) {
      const slot = this.idle.pop() ?? (this.slots.size < this.size ? this.spawn() : undefined);
      if (!slot) return;
      const job = this.queue.shift()!;
      clearTimeout(slot.timer);
      slot.job = job;
      slot.worker.ref();
      slot.timer = setTimeout(() => void this.retire(slot, new RenderTimeoutError(job.options.page, this.timeoutMs)), this.timeoutMs);
      slot.worker.postMessage({ id: job.id, bytes: job.bytes, options: job.options });
    }
  }

  private spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker };
    this.slots.add(slot);
    worker.on('message', (reply: Reply) => this.finish(slot, reply));
    worker.on('error', (error) => void this.retire(slot, new Error(`the page renderer failed: ${error.message}`)));
    worker.on('exit', (code) => void this.retire(slot, new Error(`the page renderer stopped (exit code ${code})`)));
    return slot;
  }

  private finish(slot: Slot, reply: Reply): void {
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    clearTimeout(slot.timer);
    slot.job = undefined;
    if (reply.error) job.reject(deserializeError(reply.error));
    else job.resolve({ ...reply.image, png: Buffer.from(reply.image.png.buffer, reply.image.png.byteOffset, reply.image.png.byteLength) });
    slot.worker.unref();
    slot.timer = setTimeout(() => void this.retire(slot), this.idleMs);
    this.idle.push(slot);
    this.dispatch();
  }

  /** Takes a thread out of the pool (idle, crashed, timed out or closing) and fails its job if it had one. */
  private async retire(slot: Slot, reason?: Error): Promise<void> {
    if (!this.slots.delete(slot)) return;
    clearTimeout(slot.timer);
    const at = this.idle.indexOf(slot);
    if (at >= 0) this.idle.splice(at, 1);
    if (slot.job && reason) slot.job.reject(reason);
    slot.job = undefined;
    await slot.worker.terminate();
    if (!this.closed) this.dispatch();
  }
}

/**
 * The compiled worker beside this file (dist/), or, when running from TypeScript sources (jest),
 * the .ts one compiled on load by @swc/core, the compiler the tests already run on.
 */
function startWorker(): Worker {
  const js = path.join(__dirname, 'page-image.worker.js');
  if (existsSync(js)) return new Worker(js);
  const ts = path.join(__dirname, 'page-image.worker.ts');
  const bootstrap = `
    const fs = require('node:fs');
    const { transformSync } = require('@swc/core');
    require.extensions['.ts'] = (module, filename) => {
      const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
        filename,
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs', ignoreDynamic: true },
      });
      module._compile(code, filename);
    };
    require(${JSON.stringify(ts)});
  `;
  return new Worker(bootstrap, { eval: true });
}
