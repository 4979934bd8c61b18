import { parentPort } from 'node:worker_threads';
import { renderPageImage, type PageImageOptions } from './page-image';
import { serializeError } from './worker-errors';

/** One render at a time, asked for by PageRenderPool; the picture's buffer is transferred, not copied. */
parentPort?.on('message', (job: { id: number; bytes: Uint8Array; options: PageImageOptions }) => {
  renderPageImage(job.bytes, job.options).then(
    (image) => {
      const png = new Uint8Array(image.png.buffer, image.png.byteOffset, image.png.byteLength);
      parentPort!.postMessage({ id: job.id, image: { ...image, png } }, [png.buffer as ArrayBuffer]);
    },
    (error: unknown) => parentPort!.postMessage({ id: job.id, error: serializeError(error) }),
  );
});
