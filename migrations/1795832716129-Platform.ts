import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The platform's own tables: API keys and their knowledge-base grants, and the job ledger.
 * Grants hold a knowledge_base_id without a foreign key: the knowledge_bases table belongs to the
 * documents module, whose migration adds the constraint.
 */
export class Platform1795832716129 implements MigrationInterface {
  name = 'Platform1795832716129';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS vector`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
        key_hash char(64) NOT NULL UNIQUE,
        key_prefix varchar(16) NOT NULL,
        all_knowledge_bases boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE api_key_grants (
        api_key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        knowledge_base_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (api_key_id, knowledge_base_id)
      )`);
    await queryRunner.query(`CREATE INDEX api_key_grants_kb_idx ON api_key_grants (knowledge_base_id)`);
    await queryRunner.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        status varchar(16) NOT NULL
          CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        progress real NOT NULL DEFAULT 0,
        progress_message text,
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL DEFAULT 3,
        backoff_ms integer NOT NULL DEFAULT 1000,
        run_after timestamptz NOT NULL DEFAULT now(),
        cancel_requested boolean NOT NULL DEFAULT false,
        result jsonb,
        error text,
        worker varchar(200),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX jobs_status_run_after_idx ON jobs (status, run_after)`);
    await queryRunner.query(`CREATE INDEX jobs_created_at_idx ON jobs (created_at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE jobs`);
    await queryRunner.query(`DROP TABLE api_key_grants`);
    await queryRunner.query(`DROP TABLE api_keys`);
  }
}
