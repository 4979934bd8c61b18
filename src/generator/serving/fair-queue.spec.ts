import { GenerationCancelledError, QueueFullError } from '../generator.errors';
import { FairQueue } from './fair-queue';

const never = () => new AbortController().signal;

describe('FairQueue', () => {
  it('lets `concurrency` in, queues the rest first come first served, and refuses past the limit', async () => {
    const queue = new FairQueue(1, 2);
    const order: string[] = [];
    const first = await queue.acquire('m', 'm@1', never());
    const second = queue.acquire('m', 'm@1', never()).then((release) => (order.push('second'), release));
    const third = queue.acquire('m', 'm@1', never()).then((release) => (order.push('third'), release));
    await expect(queue.acquire('m', 'm@1', never())).rejects.toBeInstanceOf(QueueFullError);
    expect(queue.stats('m')).toEqual({ running: 1, waiting: 2 });
    // Another model has its own lane.
    (await queue.acquire('other', 'other@1', never()))();

    first();
    first(); // a second call frees nothing more
    const releaseSecond = await second;
    expect(queue.stats('m')).toEqual({ running: 1, waiting: 1 });
    releaseSecond();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(queue.stats('m')).toEqual({ running: 0, waiting: 0 });
  });

  it('a waiter that aborts leaves the line and frees its place', async () => {
    const queue = new FairQueue(1, 1);
    const running = await queue.acquire('m', 'm@1', never());
    const controller = new AbortController();
    const waiting = queue.acquire('m', 'm@1', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(GenerationCancelledError);
    expect(queue.stats('m')).toEqual({ running: 1, waiting: 0 });
    const next = queue.acquire('m', 'm@1', never());
    running();
    (await next)();
    expect(queue.stats('m')).toEqual({ running: 0, waiting: 0 });
  });

  it('the message of a full queue names the model and what to do', async () => {
    const queue = new FairQueue(1, 0);
    await queue.acquire('m', 'qwen@2', never());
    await expect(queue.acquire('m', 'qwen@2', never())).rejects.toThrow('model "qwen@2" is busy: 1 generation(s) running and 0 waiting (the queue limit); retry in a few seconds');
  });
});
