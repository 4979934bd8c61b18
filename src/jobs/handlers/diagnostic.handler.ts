import { Injectable } from '@nestjs/common';
import { JobHandler } from '../job-handler.decorator';
import { JobName, JobPayload } from '../job-name.enum';
import { JobContext } from '../job.types';
import { WORKER_ID } from '../job-runner';

/** Runs for durationMs in ten steps, honouring cancellation; fails its first failAttempts attempts. */
@Injectable()
@JobHandler(JobName.SystemDiagnostic)
export class DiagnosticJobHandler implements JobHandler<JobName.SystemDiagnostic> {
  async run(payload: JobPayload<JobName.SystemDiagnostic>, context: JobContext): Promise<unknown> {
    if (context.attempt <= (payload.failAttempts ?? 0)) {
      throw new Error(`diagnostic failure on attempt ${context.attempt} of ${payload.failAttempts} requested`);
    }
    const step = payload.durationMs / 10;
    for (let i = 1; i <= 10; i++) {
      await sleep(step, context.signal);
      await context.progress(i * 10, `step ${i} of 10`);
    }
    return { worker: WORKER_ID, attempt: context.attempt, note: payload.note ?? null };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error(`aborted: ${String(signal.reason)}`));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error(`aborted: ${String(signal.reason)}`));
    }, { once: true });
  });
}
