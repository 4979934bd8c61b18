import { mapDocumentRow } from './documents.repository';

const row = (status: string, jobStatus: string | null, jobError: string | null = null, readyAt: Date | null = null) =>
  ({
    id: 'd',
    knowledge_base_id: 'k',
    filename: 'a.pdf',
    content_type: 'application/pdf',
    size_bytes: '12',
    sha256: 'f'.repeat(64),
    format: null,
    status,
    progress: 5,
    progress_message: 'parsing',
    error: null,
    error_code: null,
    last_error: null,
    last_error_code: null,
    last_error_at: null,
    pages: null,
    blocks: null,
    chunk_count: 0,
    characters: null,
    warnings: [],
    parse_ms: null,
    job_id: 'j',
    created_at: new Date(0),
    updated_at: new Date(0),
    ready_at: readyAt,
    job_status: jobStatus,
    job_error: jobError,
    job_finished_at: new Date(5000),
  }) as Parameters<typeof mapDocumentRow>[0];

describe('mapDocumentRow', () => {
  it('reads a document left in flight by a job the queue gave up on as failed, with the job\'s reason', () => {
    const doc = mapDocumentRow(row('parsing', 'failed', 'failed after 2 attempt(s): interrupted: the process running it (h:1) stopped'));
    expect(doc).toMatchObject({
      status: 'failed',
      errorCode: 'job_failed',
      error: 'ingestion did not finish: failed after 2 attempt(s): interrupted: the process running it (h:1) stopped',
      progressMessage: null,
      sizeBytes: 12,
    });
    expect(mapDocumentRow(row('queued', 'cancelled'))).toMatchObject({ status: 'failed', error: 'ingestion was cancelled' });
  });

  it('reads a re-ingest of a ready document whose job was given up on as ready again, the failure as lastError', () => {
    const doc = mapDocumentRow({ ...row('parsing', 'failed', 'interrupted', new Date(1000)), chunk_count: 7 });
    expect(doc).toMatchObject({
      status: 'ready',
      progress: 100,
      progressMessage: null,
      error: null,
      errorCode: null,
      chunkCount: 7,
      lastError: 'ingestion did not finish: interrupted',
      lastErrorCode: 'job_failed',
      lastErrorAt: new Date(5000),
    });
    expect(mapDocumentRow(row('queued', 'cancelled', null, new Date(1000)))).toMatchObject({ status: 'ready', lastError: 'ingestion was cancelled', lastErrorCode: 'job_cancelled' });
  });

  it('leaves documents alone while their job is alive, and settled documents whatever the job says', () => {
    expect(mapDocumentRow(row('parsing', 'running')).status).toBe('parsing');
    expect(mapDocumentRow(row('queued', 'queued')).status).toBe('queued');
    expect(mapDocumentRow(row('ready', 'failed')).status).toBe('ready');
    expect(mapDocumentRow(row('queued', null)).status).toBe('queued');
  });
});
