import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prompt templates and their versions. A version is immutable (a trigger refuses UPDATE): an edit is
 * a new row, and the template row only points at the active one. The template row also remembers
 * the hash of the shipped file it was last seeded from and the version that file became, which is
 * how start-up tells "the shipped file changed" from "an admin edited the template" (docs/prompts.md).
 */
export class PromptTemplates1795836611175 implements MigrationInterface {
  name = 'PromptTemplates1795836611175';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE prompt_templates (
        name varchar(100) PRIMARY KEY,
        task varchar(50) NOT NULL,
        language varchar(10) NOT NULL,
        shipped boolean NOT NULL DEFAULT false,
        active_version integer NOT NULL,
        shipped_sha256 char(64),
        shipped_version integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX prompt_templates_task_idx ON prompt_templates (task, language)`);
    await queryRunner.query(`
      CREATE TABLE prompt_template_versions (
        template_name varchar(100) NOT NULL REFERENCES prompt_templates(name) ON DELETE CASCADE,
        version integer NOT NULL CHECK (version > 0),
        source text NOT NULL,
        description text NOT NULL DEFAULT '',
        task varchar(50) NOT NULL,
        language varchar(10) NOT NULL,
        sha256 char(64) NOT NULL,
        origin varchar(20) NOT NULL CHECK (origin IN ('shipped', 'created', 'edited')),
        created_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (template_name, version)
      )`);
    // The active version must exist; deferred so a template and its first version go in one transaction.
    await queryRunner.query(`
      ALTER TABLE prompt_templates ADD CONSTRAINT prompt_templates_active_fk
        FOREIGN KEY (name, active_version) REFERENCES prompt_template_versions (template_name, version)
        DEFERRABLE INITIALLY DEFERRED`);
    await queryRunner.query(`
      CREATE FUNCTION prompt_template_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'prompt template versions are immutable; save a new version instead';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER prompt_template_versions_no_update BEFORE UPDATE ON prompt_template_versions
        FOR EACH ROW EXECUTE FUNCTION prompt_template_versions_immutable()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE prompt_templates DROP CONSTRAINT prompt_templates_active_fk`);
    await queryRunner.query(`DROP TABLE prompt_template_versions`);
    await queryRunner.query(`DROP FUNCTION prompt_template_versions_immutable()`);
    await queryRunner.query(`DROP TABLE prompt_templates`);
  }
}
