import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../../auth';
import { ConflictError, NotFoundError } from '../../common';
import { DocumentsService } from '../../documents/documents.service';
import { formatModelRef } from '../../generator';
import { JobName, JobQueue, type JobRecord } from '../../jobs';
import type { DatasetRecord } from '../datasets/dataset-record';
import { DatasetsService, type VersionChange } from '../datasets/datasets.service';
import { DraftsRepository, type DraftRecord, type DraftStatus } from './drafts.repository';
import { QaDrafter } from './qa-drafter';

const actor = (auth: AuthContext) => auth.keyName || auth.keyId;
export const DRAFTED_TAG = 'drafted';

/** Candidate Q&A drafted by a model: start a drafting job, review, edit, approve into a version, reject. */
@Injectable()
export class DraftsService {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly drafts: DraftsRepository,
    private readonly documents: DocumentsService,
    private readonly drafter: QaDrafter,
    private readonly queue: JobQueue,
  ) {}

  /** Checks everything a drafting job needs up front (dataset, readable document, a model), then enqueues it. */
  async start(auth: AuthContext, ref: string, request: { documentId: string; model?: string; maxChunks?: number; perChunk?: number }): Promise<{ job: JobRecord; model: string }> {
    const dataset = await this.datasets.get(ref);
    const document = await this.documents.get(auth, request.documentId);
    if (document.status !== 'ready') throw new ConflictError(`document ${document.filename} is ${document.status}; drafting needs a document that finished ingesting`);
    const model = await this.drafter.model(request.model ?? null);
    const job = await this.queue.enqueue(JobName.DraftDatasetQa, {
      datasetId: dataset.id,
      documentId: document.id,
      knowledgeBaseId: document.knowledgeBaseId,
      model: formatModelRef(model),
      maxChunks: request.maxChunks ?? 20,
      perChunk: request.perChunk ?? 2,
      requestedBy: { keyId: auth.keyId, keyName: actor(auth) },
    });
    return { job, model: formatModelRef(model) };
  }

  async list(ref: string, query: { status?: DraftStatus; jobId?: string; offset?: number; limit?: number }): Promise<{ total: number; offset: number; drafts: DraftRecord[] }> {
    const dataset = await this.datasets.get(ref);
    const offset = query.offset ?? 0;
    return { offset, ...(await this.drafts.list(dataset.id, { status: query.status, jobId: query.jobId, offset, limit: query.limit ?? 50 })) };
  }

  async edit(ref: string, id: string, patch: { instruction?: string; output?: string }): Promise<DraftRecord> {
    const dataset = await this.datasets.get(ref);
    for (const [field, value] of Object.entries(patch)) {
      if (value !== undefined && value.trim() === '') throw new ConflictError(`${field} of a draft cannot be empty; reject the draft instead`);
    }
    const updated = await this.drafts.update(dataset.id, id, patch);
    if (updated) return updated;
    const existing = await this.drafts.get(dataset.id, id);
    if (!existing) throw new NotFoundError(`dataset ${dataset.name} has no draft ${id}`);
    throw new ConflictError(`draft ${id} was already ${existing.status}; only pending drafts can be edited`);
  }

  /** The drafts become records of the dataset's next version, in one transaction with their approval. */
  async approve(auth: AuthContext, ref: string, ids: readonly string[]): Promise<VersionChange & { approved: number }> {
    const dataset = await this.datasets.get(ref);
    let approved = 0;
    try {
      const change = await this.datasets.addClaimedRecords(auth, dataset.id, `approved ${ids.length} drafted Q&A`, async (m, datasetId, version) => {
        const claimed = await this.drafts.decide(datasetId, ids, 'approved', actor(auth), version, m);
        // Thrown to roll the version back; the precise reason is looked up after, outside the transaction.
        if (!claimed) throw new DraftsNotPending();
        approved = claimed.length;
        return claimed.map((d): Partial<DatasetRecord> => ({ instruction: d.instruction, output: d.output, sources: d.sources, tags: [DRAFTED_TAG] }));
      });
      return { ...change, approved };
    } catch (e) {
      if (e instanceof DraftsNotPending) throw await this.notPending(dataset.id, ids);
      throw e;
    }
  }

  async reject(auth: AuthContext, ref: string, ids: readonly string[]): Promise<{ rejected: number }> {
    const dataset = await this.datasets.get(ref);
    const decided = await this.drafts.decide(dataset.id, ids, 'rejected', actor(auth), null);
    if (!decided) throw await this.notPending(dataset.id, ids);
    return { rejected: decided.length };
  }

  private async notPending(datasetId: string, ids: readonly string[]): Promise<Error> {
    for (const id of ids) {
      const draft = await this.drafts.get(datasetId, id);
      if (!draft) return new NotFoundError(`no draft ${id} in this dataset`);
      if (draft.status !== 'pending') return new ConflictError(`draft ${id} was already ${draft.status}`);
    }
    return new ConflictError('the same draft id is listed twice');
  }
}

class DraftsNotPending extends Error {}
