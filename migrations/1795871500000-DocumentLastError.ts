import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last failed ingestion of a document, kept apart from `error`: a re-ingest of a ready document
 * that fails leaves it ready with its previous chunks, and records why here (docs/documents.md).
 */
export class DocumentLastError1795871500000 implements MigrationInterface {
  name = 'DocumentLastError1795871500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE documents ADD COLUMN last_error text, ADD COLUMN last_error_code varchar(50), ADD COLUMN last_error_at timestamptz`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE documents DROP COLUMN last_error, DROP COLUMN last_error_code, DROP COLUMN last_error_at`);
  }
}
