import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fine-tuning runs and one-click pipelines (docs/finetune-runs.md). A pipeline is a run with stages
 * beyond training; both are one job. Progress per optimizer step goes to finetune_run_steps, so the
 * history is appended rather than rewritten and survives a restart with the run.
 */
export class FinetuneRuns1795860000000 implements MigrationInterface {
  name = 'FinetuneRuns1795860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE finetune_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(20) NOT NULL CHECK (kind IN ('run', 'pipeline')),
        status varchar(20) NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        error text,
        base_model text NOT NULL,
        base_checkpoint text NOT NULL,
        base_model_id uuid REFERENCES models(id) ON DELETE SET NULL,
        dataset_id uuid REFERENCES datasets(id) ON DELETE SET NULL,
        dataset_name varchar(100) NOT NULL,
        dataset_version integer NOT NULL,
        method varchar(20) NOT NULL CHECK (method IN ('lora')),
        params jsonb NOT NULL,
        pipeline jsonb,
        stages jsonb NOT NULL DEFAULT '[]',
        progress jsonb,
        evaluation jsonb,
        artifacts jsonb NOT NULL DEFAULT '{}',
        model_id uuid REFERENCES models(id) ON DELETE SET NULL,
        job_id uuid,
        created_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX finetune_runs_created ON finetune_runs (created_at DESC)`);
    await queryRunner.query(`
      CREATE TABLE finetune_run_steps (
        run_id uuid NOT NULL REFERENCES finetune_runs(id) ON DELETE CASCADE,
        step integer NOT NULL CHECK (step > 0),
        loss double precision NOT NULL,
        val_loss double precision,
        lr double precision NOT NULL,
        tokens_per_second double precision NOT NULL,
        eta_seconds double precision NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, step)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE finetune_run_steps`);
    await queryRunner.query(`DROP TABLE finetune_runs`);
  }
}
