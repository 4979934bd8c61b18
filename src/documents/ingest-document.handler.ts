import { Injectable } from '@nestjs/common';
import { IngestionError } from '../../ingestion';
import { JobHandler, JobName, type JobContext, type JobPayload } from '../jobs';
import { DocumentIngestionService, type IngestOutcome } from './document-ingestion.service';
import { SealedSecretError, SecretBox } from './secret-box';

/**
 * JobName.IngestDocument: one uploaded (or re-ingested) document through the pipeline. A document
 * that fails to parse completes the job with status "failed" in its result (retrying would fail the
 * same way); only unexpected errors fail the attempt, so the queue retries them. The password
 * arrives sealed and is opened here, in memory, when the pipeline needs it.
 */
@Injectable()
@JobHandler(JobName.IngestDocument)
export class IngestDocumentHandler implements JobHandler<JobName.IngestDocument> {
  constructor(
    private readonly ingestion: DocumentIngestionService,
    private readonly secrets: SecretBox,
  ) {}

  run(payload: JobPayload<JobName.IngestDocument>, context: Pick<JobContext, 'signal' | 'progress'>): Promise<IngestOutcome> {
    const { documentId, sealed } = payload;
    const password = sealed === undefined ? undefined : () => this.unseal(sealed, documentId);
    return this.ingestion.ingest(documentId, password, { signal: context.signal, progress: (p, m) => context.progress(p, m) });
  }

  /** `zhiku ingest`: the pipeline in this process, the password as typed (it is never stored). */
  runLocal(documentId: string, password: string | undefined, context: Pick<JobContext, 'signal' | 'progress'>): Promise<IngestOutcome> {
    return this.ingestion.ingest(documentId, password, { signal: context.signal, progress: (p, m) => context.progress(p, m) });
  }

  private unseal(sealed: string, documentId: string): string {
    try {
      return this.secrets.unseal(sealed, documentId);
    } catch (error) {
      if (error instanceof SealedSecretError) throw new UnreadablePasswordError(error.message);
      throw error;
    }
  }
}

/** Retrying cannot open a password sealed under another key: the document fails with the reason. */
class UnreadablePasswordError extends IngestionError {
  constructor(reason: string) {
    super(`the password sent with this document cannot be read (${reason}); re-ingest it with the password`, 'sealed_password');
  }
}
