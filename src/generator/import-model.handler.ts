import { Injectable } from '@nestjs/common';
import { JobHandler, JobName, type JobContext, type JobPayload } from '../jobs';
import { ModelRegistryService, type ImportOutcome } from './registry/model-registry.service';

/**
 * JobName.ImportModel: checkpoint → quantized ONNX folder → the registry row made ready. A failed
 * import completes the job with status "failed" and the reason on the model (retrying would fail the
 * same way).
 */
@Injectable()
@JobHandler(JobName.ImportModel)
export class ImportModelHandler implements JobHandler<JobName.ImportModel> {
  constructor(private readonly registry: ModelRegistryService) {}

  run(payload: JobPayload<JobName.ImportModel>, context: Pick<JobContext, 'signal' | 'progress'>): Promise<ImportOutcome> {
    return this.registry.runImport(payload.modelId, context);
  }
}
