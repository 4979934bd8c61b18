import type { Response } from 'express';
import { clientGone, openEventStream } from '../../assistant/sse';
import { mapRun } from './dto/run.dto';
import type { FinetuneRunsService } from './finetune-runs.service';
import { TERMINAL_RUN_STATUSES, type RunKind } from './run.record';

const POLL_MS = 400;

/**
 * Server-sent events of a run: `step` for every optimizer step (the history so far first, then new
 * ones as they land), `status` when the status or a stage changes, and a final `end` with the whole
 * run once it is completed, failed or cancelled. Reads the database, so it follows a run whichever
 * process (API or worker) trains it.
 */
export async function streamRunEvents(runs: FinetuneRunsService, id: string, kind: RunKind | undefined, res: Response): Promise<void> {
  let run = await runs.record(id, kind); // a 404 before the stream opens
  const gone = clientGone(res);
  const send = openEventStream(res);
  let lastStep = 0;
  let lastStatus = '';
  for (;;) {
    for (const step of await runs.stepsAfter(id, lastStep)) {
      send('step', { ...step, totalSteps: run.params.steps });
      lastStep = step.step;
    }
    const status = JSON.stringify([run.status, run.stages.map((s) => s.status)]);
    if (status !== lastStatus) {
      send('status', { status: run.status, error: run.error, stages: run.stages, progress: run.progress });
      lastStatus = status;
    }
    if (TERMINAL_RUN_STATUSES.includes(run.status)) {
      send('end', mapRun(run));
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (gone.aborted) return;
    run = await runs.record(id, kind);
  }
  res.end();
}
