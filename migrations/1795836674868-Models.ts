import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The model registry. A row is one immutable version of a named model: an imported ONNX folder or
 * an external OpenAI-compatible endpoint. Only status (importing → ready | failed), the default flag
 * and the size measured after import ever change; a new import is a new version.
 */
export class Models1795836674868 implements MigrationInterface {
  name = 'Models1795836674868';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE models (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        provider varchar(30) NOT NULL CHECK (provider IN ('onnx', 'openai-compatible')),
        status varchar(20) NOT NULL CHECK (status IN ('importing', 'ready', 'failed')),
        error text,
        folder text,
        owns_folder boolean NOT NULL DEFAULT false,
        source_path text,
        source_sha256 char(64),
        architecture varchar(50),
        bits integer,
        group_size integer,
        context_length integer,
        size_bytes bigint,
        base_url text,
        api_key text,
        remote_model varchar(200),
        base_model varchar(200),
        parent_model_id uuid REFERENCES models(id) ON DELETE SET NULL,
        dataset_version varchar(100),
        is_default boolean NOT NULL DEFAULT false,
        job_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (provider <> 'onnx' OR folder IS NOT NULL),
        CHECK (provider <> 'openai-compatible' OR base_url IS NOT NULL)
      )`);
    // "name" is what clients send as the OpenAI model field: unique per version regardless of case.
    await queryRunner.query(`CREATE UNIQUE INDEX models_name_version_idx ON models (lower(name), version)`);
    await queryRunner.query(`CREATE UNIQUE INDEX models_default_idx ON models (lower(name)) WHERE is_default`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE models`);
  }
}
