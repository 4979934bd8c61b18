import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AnswerMode, CitationDto } from './dto/ask.dto';

export interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  mode: AnswerMode | null;
  standaloneQuestion: string | null;
  citations: CitationDto[];
  model: string | null;
  createdAt: Date;
}

export interface ConversationRecord {
  id: string;
  keyId: string;
  title: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ExchangeToStore {
  conversationId: string | null;
  keyId: string;
  question: string;
  standaloneQuestion: string;
  answer: string;
  mode: AnswerMode;
  citations: CitationDto[];
  model: string | null;
}

interface ConversationRow {
  id: string;
  key_id: string;
  title: string;
  created_at: Date;
  updated_at: Date;
}

const mapConversation = (r: ConversationRow): ConversationRecord => ({ id: r.id, keyId: r.key_id, title: r.title, createdAt: r.created_at, updatedAt: r.updated_at });

/** Conversations and their messages. An exchange (question + answer) is written whole or not at all. */
@Injectable()
export class ConversationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(id: string, keyId: string): Promise<ConversationRecord | null> {
    const rows: ConversationRow[] = await this.db.query(`SELECT * FROM conversations WHERE id = $1 AND key_id = $2`, [id, keyId]);
    return rows[0] ? mapConversation(rows[0]) : null;
  }

  async list(keyId: string, limit = 50): Promise<ConversationRecord[]> {
    const rows: ConversationRow[] = await this.db.query(`SELECT * FROM conversations WHERE key_id = $1 ORDER BY updated_at DESC LIMIT $2`, [keyId, limit]);
    return rows.map(mapConversation);
  }

  /** The last `limit` messages, oldest first. */
  async messages(conversationId: string, limit = 1000): Promise<StoredMessage[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT * FROM (SELECT * FROM conversation_messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) m ORDER BY id`,
      [conversationId, limit],
    );
    return rows.map((r) => ({
      role: r.role as 'user' | 'assistant',
      content: r.content as string,
      mode: (r.mode as AnswerMode | null) ?? null,
      standaloneQuestion: (r.standalone_question as string | null) ?? null,
      citations: r.citations as CitationDto[],
      model: (r.model as string | null) ?? null,
      createdAt: r.created_at as Date,
    }));
  }

  /** Appends the question and its answer (creating the conversation when new) in one transaction. */
  async appendExchange(e: ExchangeToStore): Promise<string> {
    return this.db.transaction(async (m) => {
      let id = e.conversationId;
      if (id) {
        const touched: unknown[] = await m.query(`UPDATE conversations SET updated_at = now() WHERE id = $1 AND key_id = $2 RETURNING id`, [id, e.keyId]);
        if (!touched.length) throw new Error(`conversation ${id} vanished while answering`);
      } else {
        const rows: Array<{ id: string }> = await m.query(`INSERT INTO conversations (key_id, title) VALUES ($1, $2) RETURNING id`, [e.keyId, Array.from(e.question).slice(0, 80).join('')]);
        id = rows[0].id;
      }
      await m.query(`INSERT INTO conversation_messages (conversation_id, role, content) VALUES ($1, 'user', $2)`, [id, e.question]);
      await m.query(
        `INSERT INTO conversation_messages (conversation_id, role, content, mode, standalone_question, citations, model) VALUES ($1, 'assistant', $2, $3, $4, $5, $6)`,
        [id, e.answer, e.mode, e.standaloneQuestion, JSON.stringify(e.citations), e.model],
      );
      return id;
    });
  }

  async delete(id: string, keyId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`DELETE FROM conversations WHERE id = $1 AND key_id = $2 RETURNING id`, [id, keyId]);
    return rows.length > 0;
  }
}
