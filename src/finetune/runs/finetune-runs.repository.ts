import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { NewRun, RunArtifacts, RunKind, RunProgress, RunRecord, RunStage, RunStatus, RunStep } from './run.record';

/* eslint-disable @typescript-eslint/no-explicit-any */
const mapRun = (r: any): RunRecord => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  error: r.error,
  baseModel: r.base_model,
  baseCheckpoint: r.base_checkpoint,
  baseModelId: r.base_model_id,
  datasetId: r.dataset_id,
  datasetName: r.dataset_name,
  datasetVersion: r.dataset_version,
  method: r.method,
  params: r.params,
  pipeline: r.pipeline,
  stages: r.stages ?? [],
  progress: r.progress,
  evaluation: r.evaluation,
  artifacts: r.artifacts ?? {},
  modelId: r.model_id,
  jobId: r.job_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});
const mapStep = (r: any): RunStep => ({
  step: r.step,
  loss: r.loss,
  valLoss: r.val_loss,
  lr: r.lr,
  tokensPerSecond: r.tokens_per_second,
  etaSeconds: r.eta_seconds,
  auxLoss: r.aux_loss,
});
/* eslint-enable @typescript-eslint/no-explicit-any */

/** finetune_runs and their per-step history. */
@Injectable()
export class FinetuneRunsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(run: NewRun): Promise<RunRecord> {
    const rows = await this.db.query(
      `INSERT INTO finetune_runs (kind, status, base_model, base_checkpoint, base_model_id, dataset_id, dataset_name, dataset_version, method, params, pipeline, stages, created_by)
       VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
      [run.kind, run.baseModel, run.baseCheckpoint, run.baseModelId, run.datasetId, run.datasetName, run.datasetVersion, run.method, JSON.stringify(run.params), run.pipeline ? JSON.stringify(run.pipeline) : null, JSON.stringify(run.stages), run.createdBy],
    );
    return mapRun(rows[0]);
  }

  async get(id: string, kind?: RunKind): Promise<RunRecord | null> {
    const rows = await this.db.query(`SELECT * FROM finetune_runs WHERE id = $1 AND ($2::text IS NULL OR kind = $2)`, [id, kind ?? null]);
    return rows[0] ? mapRun(rows[0]) : null;
  }

  async list(kind: RunKind | null, limit: number): Promise<RunRecord[]> {
    const rows = await this.db.query(`SELECT * FROM finetune_runs WHERE ($1::text IS NULL OR kind = $1) ORDER BY created_at DESC LIMIT $2`, [kind, limit]);
    return rows.map(mapRun);
  }

  async setJob(id: string, jobId: string): Promise<void> {
    await this.db.query(`UPDATE finetune_runs SET job_id = $2, updated_at = now() WHERE id = $1`, [id, jobId]);
  }

  /** queued (or a run resumed after a restart) → running; keeps the first start time. */
  async markRunning(id: string): Promise<RunRecord | null> {
    const rows: unknown[] = await this.db.query(
      `UPDATE finetune_runs SET status = 'running', error = NULL, started_at = COALESCE(started_at, now()), updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
      [id],
    );
    const updated = (Array.isArray(rows[0]) ? rows[0] : rows) as unknown[];
    return updated[0] ? mapRun(updated[0]) : null;
  }

  async finish(id: string, status: Extract<RunStatus, 'completed' | 'failed' | 'cancelled'>, error: string | null): Promise<void> {
    await this.db.query(`UPDATE finetune_runs SET status = $2, error = $3, finished_at = now(), updated_at = now() WHERE id = $1`, [id, status, error]);
  }

  /** Appends a step and moves the run's progress in one transaction; a step re-run after a resume replaces its row. */
  async recordStep(id: string, step: RunStep, progress: RunProgress): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO finetune_run_steps (run_id, step, loss, val_loss, lr, tokens_per_second, eta_seconds, aux_loss) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (run_id, step) DO UPDATE SET loss = EXCLUDED.loss, val_loss = EXCLUDED.val_loss, lr = EXCLUDED.lr,
           tokens_per_second = EXCLUDED.tokens_per_second, eta_seconds = EXCLUDED.eta_seconds, aux_loss = EXCLUDED.aux_loss, created_at = now()`,
        [id, step.step, step.loss, step.valLoss, step.lr, step.tokensPerSecond, step.etaSeconds, step.auxLoss],
      );
      await m.query(`UPDATE finetune_runs SET progress = $2, updated_at = now() WHERE id = $1`, [id, JSON.stringify(progress)]);
    });
  }

  async setProgress(id: string, progress: RunProgress): Promise<void> {
    await this.db.query(`UPDATE finetune_runs SET progress = $2, updated_at = now() WHERE id = $1`, [id, JSON.stringify(progress)]);
  }

  /** Steps after a resume point are dropped: the resumed run computes them again. */
  async truncateSteps(id: string, afterStep: number): Promise<void> {
    await this.db.query(`DELETE FROM finetune_run_steps WHERE run_id = $1 AND step > $2`, [id, afterStep]);
  }

  async steps(id: string, afterStep = 0): Promise<RunStep[]> {
    const rows = await this.db.query(`SELECT * FROM finetune_run_steps WHERE run_id = $1 AND step > $2 ORDER BY step`, [id, afterStep]);
    return rows.map(mapStep);
  }

  async setStages(id: string, stages: RunStage[]): Promise<void> {
    await this.db.query(`UPDATE finetune_runs SET stages = $2, updated_at = now() WHERE id = $1`, [id, JSON.stringify(stages)]);
  }

  /** Merges into the artifacts object, so each stage adds its own without losing the others'. */
  async addArtifacts(id: string, artifacts: RunArtifacts): Promise<void> {
    await this.db.query(`UPDATE finetune_runs SET artifacts = artifacts || $2::jsonb, updated_at = now() WHERE id = $1`, [id, JSON.stringify(artifacts)]);
  }

  async setEvaluation(id: string, evaluation: unknown): Promise<void> {
    await this.db.query(`UPDATE finetune_runs SET evaluation = $2, updated_at = now() WHERE id = $1`, [id, JSON.stringify(evaluation)]);
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM finetune_runs WHERE id = $1`, [id]);
  }

  async setModel(id: string, modelId: string): Promise<void> {
    await this.db.query(`UPDATE finetune_runs SET model_id = $2, updated_at = now() WHERE id = $1`, [id, modelId]);
  }
}
