import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who did what through the HTTP API: one row per state-changing request (and per refused one), with
 * the key that made it. Bodies are never stored (they hold documents, questions and secrets).
 */
export class AuditEvents1795850000000 implements MigrationInterface {
  name = 'AuditEvents1795850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        key_id varchar(100),
        key_name varchar(200),
        role varchar(20),
        method varchar(10) NOT NULL,
        path text NOT NULL,
        route text,
        status integer NOT NULL,
        duration_ms integer NOT NULL,
        client varchar(100)
      )`);
    await queryRunner.query(`CREATE INDEX audit_events_at_idx ON audit_events (at)`);
    await queryRunner.query(`CREATE INDEX audit_events_key_idx ON audit_events (key_id, id DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_events`);
  }
}
