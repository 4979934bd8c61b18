import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Candidate Q&A a model drafted from a document's chunks, waiting for an editor. Drafts live
 * beside a dataset's immutable versions, not in them: approving some makes the next version.
 */
export class DatasetDrafts1795852000000 implements MigrationInterface {
  name = 'DatasetDrafts1795852000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dataset_drafts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dataset_id uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        job_id varchar(100),
        status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
        instruction text NOT NULL CHECK (btrim(instruction) <> ''),
        output text NOT NULL CHECK (btrim(output) <> ''),
        sources jsonb NOT NULL DEFAULT '[]',
        grounding real NOT NULL,
        model varchar(200) NOT NULL,
        created_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_by varchar(200),
        decided_at timestamptz,
        approved_version integer
      )`);
    await queryRunner.query(`CREATE INDEX dataset_drafts_dataset_idx ON dataset_drafts (dataset_id, status, created_at)`);
    // Approving drafts is a version operation of its own.
    await queryRunner.query(`ALTER TABLE dataset_versions DROP CONSTRAINT dataset_versions_operation_check`);
    await queryRunner.query(`ALTER TABLE dataset_versions ADD CONSTRAINT dataset_versions_operation_check CHECK (operation IN ('import', 'edit', 'split', 'from-answer', 'drafts'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dataset_drafts`);
    await queryRunner.query(`ALTER TABLE dataset_versions DROP CONSTRAINT dataset_versions_operation_check`);
    await queryRunner.query(`ALTER TABLE dataset_versions ADD CONSTRAINT dataset_versions_operation_check CHECK (operation IN ('import', 'edit', 'split', 'from-answer'))`);
  }
}
