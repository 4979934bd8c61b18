import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The retrieval index: one row per indexed chunk (text, provenance, tags and its vector), the BM25
 * postings (term, chunk, tf) and the per-knowledge-base statistics BM25 needs (chunk count, total
 * length, document frequency per term). Keyed by the chunk id the documents module assigns; no
 * foreign keys to knowledge_bases/documents so that this migration does not depend on theirs (the
 * documents migration may add them with ON DELETE CASCADE).
 *
 * Vectors sit in an untyped `vector` column beside the id of the embedder that made them; each
 * embedder gets a partial HNSW index over `embedding::vector(dim)` restricted to its own rows. The
 * default embedder's index is made here; others are made when a knowledge base switches to them.
 */
export class RetrievalIndex1795834586899 implements MigrationInterface {
  name = 'RetrievalIndex1795834586899';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS vector`);
    await queryRunner.query(`
      CREATE TABLE retrieval_chunks (
        chunk_id uuid PRIMARY KEY,
        knowledge_base_id uuid NOT NULL,
        document_id uuid NOT NULL,
        document_name text NOT NULL,
        chunk_index integer NOT NULL,
        text text NOT NULL,
        context text NOT NULL DEFAULT '',
        provenance jsonb NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        term_count integer NOT NULL,
        embedder_id varchar(200) NOT NULL,
        embedding vector NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX retrieval_chunks_kb_idx ON retrieval_chunks (knowledge_base_id)`);
    await queryRunner.query(`CREATE INDEX retrieval_chunks_document_idx ON retrieval_chunks (document_id, chunk_index)`);
    await queryRunner.query(`CREATE INDEX retrieval_chunks_tags_idx ON retrieval_chunks USING gin (tags)`);
    await queryRunner.query(`
      CREATE INDEX retrieval_chunks_hnsw_zhiku_hashed_v1_512 ON retrieval_chunks
        USING hnsw ((embedding::vector(512)) vector_cosine_ops) WITH (m = 16, ef_construction = 64)
        WHERE embedder_id = 'zhiku-hashed-v1-512'`);
    await queryRunner.query(`
      CREATE TABLE retrieval_terms (
        term text NOT NULL,
        knowledge_base_id uuid NOT NULL,
        chunk_id uuid NOT NULL REFERENCES retrieval_chunks(chunk_id) ON DELETE CASCADE,
        tf integer NOT NULL,
        PRIMARY KEY (term, knowledge_base_id, chunk_id)
      )`);
    await queryRunner.query(`CREATE INDEX retrieval_terms_chunk_idx ON retrieval_terms (chunk_id)`);
    await queryRunner.query(`
      CREATE TABLE retrieval_term_stats (
        knowledge_base_id uuid NOT NULL,
        term text NOT NULL,
        df integer NOT NULL CHECK (df >= 0),
        PRIMARY KEY (knowledge_base_id, term)
      )`);
    await queryRunner.query(`
      CREATE TABLE retrieval_kb_stats (
        knowledge_base_id uuid PRIMARY KEY,
        chunk_count integer NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),
        total_terms bigint NOT NULL DEFAULT 0 CHECK (total_terms >= 0),
        embedder_id varchar(200) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE retrieval_kb_stats`);
    await queryRunner.query(`DROP TABLE retrieval_term_stats`);
    await queryRunner.query(`DROP TABLE retrieval_terms`);
    await queryRunner.query(`DROP TABLE retrieval_chunks`);
  }
}
