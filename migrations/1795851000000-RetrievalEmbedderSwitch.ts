import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A knowledge base that is switching embedders records the target beside the current one. While the
 * re-embedding job runs, its chunks carry either embedder's vectors; vector search queries both and
 * fuses the two lists, so no chunk drops out of vector search during the switch. New documents are
 * embedded with the target at once, so the job never has to come back for them.
 */
export class RetrievalEmbedderSwitch1795851000000 implements MigrationInterface {
  name = 'RetrievalEmbedderSwitch1795851000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE retrieval_kb_stats ADD COLUMN pending_embedder_id varchar(200)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE retrieval_kb_stats DROP COLUMN pending_embedder_id`);
  }
}
