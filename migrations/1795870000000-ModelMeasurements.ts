import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Measured speed and quality of a model version: set after its import and by
 * `POST /api/models/:id/measure`; null until measured (and always for an external endpoint).
 */
export class ModelMeasurements1795870000000 implements MigrationInterface {
  name = 'ModelMeasurements1795870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE models
        ADD COLUMN decode_tokens_per_s double precision,
        ADD COLUMN prefill_tokens_per_s double precision,
        ADD COLUMN peak_rss_mb double precision,
        ADD COLUMN measure_threads integer,
        ADD COLUMN measured_at timestamptz,
        ADD COLUMN perplexity double precision,
        ADD COLUMN perplexity_tokens integer,
        ADD COLUMN perplexity_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE models
        DROP COLUMN decode_tokens_per_s, DROP COLUMN prefill_tokens_per_s, DROP COLUMN peak_rss_mb, DROP COLUMN measure_threads,
        DROP COLUMN measured_at, DROP COLUMN perplexity, DROP COLUMN perplexity_tokens, DROP COLUMN perplexity_at`);
  }
}
