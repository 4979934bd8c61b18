import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Knowledge bases, their documents (one row per stored file, identified in a knowledge base by its
 * SHA-256) and the chunks ingestion made of them. Chunks go with their document, documents with their
 * knowledge base (ON DELETE CASCADE), and a key's grants with the knowledge base they name.
 */
export class Documents1795835281768 implements MigrationInterface {
  name = 'Documents1795835281768';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE knowledge_bases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Names are what people type (`zhiku ingest --kb Policies`): unique regardless of case.
    await queryRunner.query(`CREATE UNIQUE INDEX knowledge_bases_name_idx ON knowledge_bases (lower(name))`);
    await queryRunner.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        knowledge_base_id uuid NOT NULL REFERENCES knowledge_bases(id) ON DELETE CASCADE,
        filename varchar(500) NOT NULL,
        content_type varchar(200) NOT NULL,
        size_bytes bigint NOT NULL,
        sha256 char(64) NOT NULL,
        format varchar(20),
        status varchar(20) NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'parsing', 'embedding', 'ready', 'failed')),
        progress integer NOT NULL DEFAULT 0,
        progress_message text,
        error text,
        error_code varchar(50),
        pages integer,
        blocks integer,
        chunk_count integer NOT NULL DEFAULT 0,
        characters integer,
        warnings jsonb NOT NULL DEFAULT '[]',
        parse_ms integer,
        job_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ready_at timestamptz
      )`);
    // The same bytes are one document per knowledge base; the file itself is stored once overall.
    await queryRunner.query(`CREATE UNIQUE INDEX documents_kb_sha256_idx ON documents (knowledge_base_id, sha256)`);
    await queryRunner.query(`CREATE INDEX documents_sha256_idx ON documents (sha256)`);
    await queryRunner.query(`
      CREATE TABLE chunks (
        id uuid PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        knowledge_base_id uuid NOT NULL REFERENCES knowledge_bases(id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        text text NOT NULL,
        context text NOT NULL DEFAULT '',
        kind varchar(20) NOT NULL,
        provenance jsonb NOT NULL,
        token_estimate integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (document_id, ordinal)
      )`);
    await queryRunner.query(`CREATE INDEX chunks_kb_idx ON chunks (knowledge_base_id)`);
    await queryRunner.query(
      `ALTER TABLE api_key_grants ADD CONSTRAINT api_key_grants_kb_fk FOREIGN KEY (knowledge_base_id) REFERENCES knowledge_bases(id) ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_key_grants DROP CONSTRAINT api_key_grants_kb_fk`);
    await queryRunner.query(`DROP TABLE chunks`);
    await queryRunner.query(`DROP TABLE documents`);
    await queryRunner.query(`DROP TABLE knowledge_bases`);
  }
}
