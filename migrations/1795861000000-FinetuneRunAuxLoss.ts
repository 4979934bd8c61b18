import { MigrationInterface, QueryRunner } from 'typeorm';

/** The router's load-balancing loss per step, for runs that train the routers (docs/finetune-runs.md). */
export class FinetuneRunAuxLoss1795861000000 implements MigrationInterface {
  name = 'FinetuneRunAuxLoss1795861000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE finetune_run_steps ADD COLUMN aux_loss double precision`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE finetune_run_steps DROP COLUMN aux_loss`);
  }
}
