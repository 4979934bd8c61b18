import { Injectable } from '@nestjs/common';
import { JobHandler, JobName, type JobContext, type JobPayload } from '../jobs';
import { EmbedderUnavailableError } from './retrieval.errors';
import { RetrievalService } from './retrieval.service';
import { RetrievalEngine } from './store/retrieval.engine';

/**
 * JobName.ReembedKnowledgeBase: rewrites a knowledge base's vectors with the target embedder in
 * resumable batches of 64 (a retried or restarted job picks up where the last one stopped), then
 * makes it the knowledge base's embedder.
 */
@Injectable()
@JobHandler(JobName.ReembedKnowledgeBase)
export class ReembedKnowledgeBaseHandler implements JobHandler<JobName.ReembedKnowledgeBase> {
  constructor(
    private readonly retrieval: RetrievalService,
    private readonly engine: RetrievalEngine,
  ) {}

  async run(payload: JobPayload<JobName.ReembedKnowledgeBase>, context: Pick<JobContext, 'signal' | 'progress'>): Promise<{ reembedded: number }> {
    const embedder = this.engine.embedders.get(payload.embedderId);
    if (!embedder) throw new EmbedderUnavailableError(payload.knowledgeBaseId, payload.embedderId, this.engine.embedders.ids);
    let last = -1;
    const reembedded = await this.retrieval.reembedKnowledgeBase(
      payload.knowledgeBaseId,
      embedder,
      (done, total) => {
        const percent = Math.min(99, Math.floor((100 * done) / Math.max(total, 1)));
        if (percent !== last) void context.progress(percent, `${done} of ${total} chunks`);
        last = percent;
      },
      context.signal,
    );
    return { reembedded };
  }
}
