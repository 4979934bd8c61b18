import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fine-tuning datasets. A version is a full, frozen copy of its records: triggers refuse UPDATE and
 * DELETE on versions and records, except the DELETE of a whole dataset, which the repository
 * announces with `SET LOCAL zhiku.dropping_dataset = <id>` in the same transaction (docs/finetune-datasets.md).
 */
export class Datasets1795840000000 implements MigrationInterface {
  name = 'Datasets1795840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE datasets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL UNIQUE,
        description text NOT NULL DEFAULT '',
        latest_version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE dataset_versions (
        dataset_id uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        version integer NOT NULL CHECK (version > 0),
        operation varchar(20) NOT NULL CHECK (operation IN ('import', 'edit', 'split', 'from-answer')),
        note text NOT NULL DEFAULT '',
        report jsonb NOT NULL DEFAULT '{}',
        record_count integer NOT NULL,
        train_count integer NOT NULL DEFAULT 0,
        validation_count integer NOT NULL DEFAULT 0,
        created_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dataset_id, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE dataset_records (
        dataset_id uuid NOT NULL,
        version integer NOT NULL,
        position integer NOT NULL,
        record_id uuid NOT NULL,
        split varchar(10) CHECK (split IN ('train', 'validation')),
        system text,
        instruction text NOT NULL CHECK (instruction <> ''),
        input text,
        output text NOT NULL CHECK (output <> ''),
        history jsonb,
        sources jsonb,
        tags text[] NOT NULL DEFAULT '{}',
        content_hash char(64) NOT NULL,
        PRIMARY KEY (dataset_id, version, position),
        UNIQUE (dataset_id, version, record_id),
        FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions (dataset_id, version) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE FUNCTION dataset_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('zhiku.dropping_dataset', true) = OLD.dataset_id::text THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'dataset versions are immutable; save a new version instead';
      END $$`);
    for (const table of ['dataset_versions', 'dataset_records']) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION dataset_versions_immutable()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dataset_records`);
    await queryRunner.query(`DROP TABLE dataset_versions`);
    await queryRunner.query(`DROP TABLE datasets`);
    await queryRunner.query(`DROP FUNCTION dataset_versions_immutable()`);
  }
}
