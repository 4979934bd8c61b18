import type { DataSource } from 'typeorm';
import { loadConfig } from '../config';
import { createDataSource } from '../database/data-source.factory';
import { freshDataDir } from '../database/testing/embedded-template';
import { JobName } from './job-name.enum';
import { JobsRepository } from './jobs.repository';

jest.setTimeout(120_000);

describe('JobsRepository keeps sealed payload fields only while a job may still run', () => {
  let ds: DataSource;
  let repo: JobsRepository;
  const payloadOf = async (id: string) => (await repo.get(id))!.payload;
  const insert = () => repo.insert(JobName.IngestDocument, { documentId: 'd', sealed: 'v1.x.y' }, 2, 0, 0);

  beforeAll(async () => {
    ds = await createDataSource(loadConfig({ DATA_DIR: await freshDataDir() }), { runMigrations: true });
    repo = new JobsRepository(ds);
  });
  afterAll(async () => ds?.destroy());

  it('through a failed attempt and its retry, then drops it on completion', async () => {
    const job = await insert();
    await repo.claim(job.id, 'w');
    await repo.requeue(job.id, 'attempt 1 failed', 0);
    expect(await payloadOf(job.id)).toEqual({ documentId: 'd', sealed: 'v1.x.y' });
    await repo.claim(job.id, 'w');
    await repo.complete(job.id, { ok: true });
    expect(await payloadOf(job.id)).toEqual({ documentId: 'd' });
  });

  it('drops it when a job fails, is cancelled queued or running, or is given up after a crash', async () => {
    const failed = await insert();
    await repo.claim(failed.id, 'w');
    await repo.finish(failed.id, 'failed', 'boom');

    const cancelledQueued = await insert();
    await repo.requestCancel(cancelledQueued.id);

    const cancelledRunning = await insert();
    await repo.claim(cancelledRunning.id, 'w');
    await repo.requestCancel(cancelledRunning.id);
    expect(await payloadOf(cancelledRunning.id)).toEqual({ documentId: 'd', sealed: 'v1.x.y' });
    await repo.finish(cancelledRunning.id, 'cancelled', 'cancelled while running');

    const crashed = await repo.insert(JobName.IngestDocument, { documentId: 'd', sealed: 'v1.x.y' }, 1, 0, 0);
    await repo.claim(crashed.id, 'w');
    expect(await repo.recoverInterrupted(crashed.id, 'interrupted')).toBe(false);

    const requeued = await insert();
    await repo.claim(requeued.id, 'w');
    expect(await repo.recoverInterrupted(requeued.id, 'interrupted')).toBe(true);

    for (const job of [failed, cancelledQueued, cancelledRunning, crashed]) expect(await payloadOf(job.id)).toEqual({ documentId: 'd' });
    expect(await payloadOf(requeued.id)).toEqual({ documentId: 'd', sealed: 'v1.x.y' });
  });
});
