import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assistant conversations: a conversation belongs to the API key that started it; its messages are
 * appended in pairs (question, answer) in one transaction, so a failed answer leaves nothing behind.
 */
export class Conversations1795838000000 implements MigrationInterface {
  name = 'Conversations1795838000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key_id varchar(100) NOT NULL,
        title text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX conversations_key_idx ON conversations (key_id, updated_at DESC)`);
    await queryRunner.query(`
      CREATE TABLE conversation_messages (
        id bigserial PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role varchar(20) NOT NULL CHECK (role IN ('user', 'assistant')),
        content text NOT NULL,
        mode varchar(20) CHECK (mode IN ('generative', 'extractive', 'no-evidence')),
        standalone_question text,
        citations jsonb NOT NULL DEFAULT '[]',
        model varchar(200),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX conversation_messages_conversation_idx ON conversation_messages (conversation_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE conversation_messages`);
    await queryRunner.query(`DROP TABLE conversations`);
  }
}
