import { Injectable } from '@nestjs/common';
import { JobHandler, JobName, type JobContext, type JobPayload } from '../jobs';
import { DocumentIngestionService, type IngestOutcome } from './document-ingestion.service';

/**
 * JobName.IngestDocument: one uploaded (or re-ingested) document through the pipeline. A document
 * that fails to parse completes the job with status "failed" in its result (retrying would fail the
 * same way); only unexpected errors fail the attempt, so the queue retries them.
 */
@Injectable()
@JobHandler(JobName.IngestDocument)
export class IngestDocumentHandler implements JobHandler<JobName.IngestDocument> {
  constructor(private readonly ingestion: DocumentIngestionService) {}

  run(payload: JobPayload<JobName.IngestDocument>, context: Pick<JobContext, 'signal' | 'progress'>): Promise<IngestOutcome> {
    return this.ingestion.ingest(payload.documentId, payload.password, { signal: context.signal, progress: (p, m) => context.progress(p, m) });
  }
}
