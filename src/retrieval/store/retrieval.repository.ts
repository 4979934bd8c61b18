import type { DataSource, EntityManager } from 'typeorm';
import { bm25Idf, DEFAULT_BM25, DEFAULT_COMMON_TERM_CUT, selectiveTerms, type Bm25Params, type CommonTermCut } from '../rank/bm25';
import type { DocumentToIndex, IndexedHit, SearchScope } from './retrieval.types';

/** Terms longer than this are not indexed (a URL or a hash is no search term; B-tree keys stay small). */
export const MAX_TERM_CHARS = 64;

/**
 * HNSW candidate list per query, scaled with the number of vectors in scope. Measured on the
 * default embedder, recall@10 against exact cosine: 30k chunks, m 24 / ef_construction 128: 0.986 at
 * ef 200; 100k chunks, m 16 / 64: 0.862 at 200 (docs/retrieval.md has the sweeps). The ceiling is the
 * planner: its cost estimate grows with ef_search, and past roughly one ef per 125-150 vectors (m 24,
 * 30k: index at ef 200, exact sort of every vector at 240, 40x slower) it sorts every vector instead.
 * So ef grows from 200 by one per 200 vectors in scope, up to pgvector's maximum of 1000.
 */
export const DEFAULT_EF_SEARCH = 200;
export const VECTORS_PER_EF = 200;
export const MAX_EF_SEARCH = 1000;

/**
 * HNSW graph parameters of an embedder's index. Denser than pgvector's 16 / 64: on 30k chunks of the
 * built-in embedder recall@10 at ef_search 200 rose from 0.960 to 0.986, for twice the build time
 * (migration 1795865432100-RetrievalHnswGraph rebuilds the built-in embedder's index the same way).
 */
export interface HnswGraph {
  m: number;
  efConstruction: number;
}

export const DEFAULT_HNSW_GRAPH: HnswGraph = { m: 24, efConstruction: 128 };

export function efSearchFor(vectors: number, limit: number): number {
  return Math.min(MAX_EF_SEARCH, Math.max(limit, DEFAULT_EF_SEARCH, Math.ceil(vectors / VECTORS_PER_EF)));
}

export interface KnowledgeBaseEmbedder {
  embedderId: string;
  /** The embedder a running switch moves it to. */
  pendingEmbedderId: string | null;
  chunks: number;
}

export interface EmbeddedDocument extends DocumentToIndex {
  embedderId: string;
  /** terms[i] and embeddings[i] belong to chunks[i]. */
  terms: readonly (readonly string[])[];
  embeddings: readonly Float32Array[];
}

const HIT_COLUMNS = `c.chunk_id AS "chunkId", c.knowledge_base_id AS "knowledgeBaseId", c.document_id AS "documentId",
  c.document_name AS "documentName", c.chunk_index AS "chunkIndex", c.text, c.context, c.provenance, c.tags`;

/**
 * All SQL of the retrieval index. Every search takes the caller's readable knowledge bases as a
 * parameter and applies them in the WHERE clause of the same statement that ranks, so a chunk the
 * caller may not read is never a candidate, in any mode.
 */
export class RetrievalRepository {
  constructor(private readonly db: DataSource) {}

  /** Replaces a document's chunks (re-ingestion) in one transaction: all of them appear at once. */
  async indexDocument(doc: EmbeddedDocument): Promise<void> {
    await this.db.transaction((m) => this.indexDocumentIn(m, doc));
  }

  /** indexDocument inside the caller's transaction (the documents module makes a document ready in it). */
  async indexDocumentIn(m: EntityManager, doc: EmbeddedDocument): Promise<void> {
    await this.removeDocumentIn(m, doc.documentId);
    if (!doc.chunks.length) return;
    const termCounts = doc.terms.map((t) => t.filter((x) => x.length <= MAX_TERM_CHARS));
    await m.query(
      `INSERT INTO retrieval_chunks (chunk_id, knowledge_base_id, document_id, document_name, chunk_index, text, context,
         provenance, tags, term_count, embedder_id, embedding)
       SELECT u.id, $1, $2, $3, u.idx, u.text, u.context, u.prov::jsonb, $4::text[], u.len, $5, u.emb::vector
       FROM unnest($6::uuid[], $7::int[], $8::text[], $9::text[], $10::text[], $11::int[], $12::text[])
         AS u(id, idx, text, context, prov, len, emb)`,
      [
        doc.knowledgeBaseId,
        doc.documentId,
        doc.documentName,
        [...doc.tags],
        doc.embedderId,
        doc.chunks.map((c) => c.chunkId),
        doc.chunks.map((c) => c.index),
        doc.chunks.map((c) => c.text),
        doc.chunks.map((c) => c.context),
        doc.chunks.map((c) => JSON.stringify(c.provenance)),
        termCounts.map((t) => t.length),
        doc.embeddings.map(vectorLiteral),
      ],
    );
    const terms: string[] = [];
    const chunkIds: string[] = [];
    const tfs: number[] = [];
    termCounts.forEach((list, i) => {
      const tf = new Map<string, number>();
      for (const t of list) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [term, count] of tf) {
        terms.push(term);
        chunkIds.push(doc.chunks[i].chunkId);
        tfs.push(count);
      }
    });
    await m.query(
      `INSERT INTO retrieval_terms (term, knowledge_base_id, chunk_id, tf)
       SELECT u.term, $1, u.chunk, u.tf FROM unnest($2::text[], $3::uuid[], $4::int[]) AS u(term, chunk, tf)`,
      [doc.knowledgeBaseId, terms, chunkIds, tfs],
    );
    await m.query(
      `INSERT INTO retrieval_term_stats (knowledge_base_id, term, df)
       SELECT $1, term, count(*) FROM unnest($2::text[]) AS u(term) GROUP BY term
       ON CONFLICT (knowledge_base_id, term) DO UPDATE SET df = retrieval_term_stats.df + excluded.df`,
      [doc.knowledgeBaseId, terms],
    );
    await m.query(
      `INSERT INTO retrieval_kb_stats (knowledge_base_id, chunk_count, total_terms, embedder_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (knowledge_base_id) DO UPDATE SET chunk_count = retrieval_kb_stats.chunk_count + excluded.chunk_count,
         total_terms = retrieval_kb_stats.total_terms + excluded.total_terms, updated_at = now()`,
      [doc.knowledgeBaseId, doc.chunks.length, termCounts.reduce((s, t) => s + t.length, 0), doc.embedderId],
    );
  }

  /**
   * ANALYZE the index tables when they have grown by a fifth since the planner last counted them.
   * PGlite runs no autovacuum, and without row counts the planner misjudges the HNSW index and sorts
   * every vector instead (measured: 28 ms instead of 3 ms at 3,000 chunks).
   */
  async refreshStatisticsIfGrown(m: EntityManager = this.db.manager): Promise<boolean> {
    const [row] = (await m.query(
      `SELECT (SELECT coalesce(sum(chunk_count), 0) FROM retrieval_kb_stats)::float8 AS actual,
              (SELECT reltuples FROM pg_class WHERE relname = 'retrieval_chunks')::float8 AS known`,
    )) as Array<{ actual: number; known: number }>;
    const known = Math.max(0, row.known);
    if (row.actual < 200 || row.actual <= known * 1.2) return false;
    await m.query(`ANALYZE retrieval_chunks, retrieval_terms, retrieval_term_stats, retrieval_kb_stats`);
    return true;
  }

  async removeDocument(documentId: string): Promise<number> {
    return this.db.transaction((m) => this.removeDocumentIn(m, documentId));
  }

  /** Deletes everything the index holds for a knowledge base (the knowledge base itself was deleted). */
  async removeKnowledgeBaseIn(m: EntityManager, knowledgeBaseId: string): Promise<void> {
    await m.query(`DELETE FROM retrieval_chunks WHERE knowledge_base_id = $1`, [knowledgeBaseId]);
    await m.query(`DELETE FROM retrieval_term_stats WHERE knowledge_base_id = $1`, [knowledgeBaseId]);
    await m.query(`DELETE FROM retrieval_kb_stats WHERE knowledge_base_id = $1`, [knowledgeBaseId]);
  }

  /** Deletes a document's chunks and takes their counts out of the BM25 statistics; returns how many went. */
  async removeDocumentIn(m: EntityManager, documentId: string): Promise<number> {
    const [gone] = (await m.query(
      `SELECT knowledge_base_id AS kb, count(*)::int AS n, coalesce(sum(term_count), 0)::bigint AS total
       FROM retrieval_chunks WHERE document_id = $1 GROUP BY knowledge_base_id`,
      [documentId],
    )) as Array<{ kb: string; n: number; total: string }>;
    if (!gone) return 0;
    await m.query(
      `UPDATE retrieval_term_stats s SET df = s.df - d.n
       FROM (SELECT t.term, count(*)::int AS n FROM retrieval_terms t JOIN retrieval_chunks c ON c.chunk_id = t.chunk_id
             WHERE c.document_id = $1 GROUP BY t.term) d
       WHERE s.knowledge_base_id = $2 AND s.term = d.term`,
      [documentId, gone.kb],
    );
    await m.query(`DELETE FROM retrieval_term_stats WHERE knowledge_base_id = $1 AND df <= 0`, [gone.kb]);
    await m.query(
      `UPDATE retrieval_kb_stats SET chunk_count = chunk_count - $2, total_terms = total_terms - $3, updated_at = now()
       WHERE knowledge_base_id = $1`,
      [gone.kb, gone.n, gone.total],
    );
    await m.query(`DELETE FROM retrieval_chunks WHERE document_id = $1`, [documentId]);
    return gone.n;
  }

  /**
   * BM25. N, the average length and each term's df are summed over the knowledge bases in scope (as if
   * they were one collection), never over ones the caller cannot read. Three short statements: the
   * statistics; then, when the query has common terms (bm25.ts: selectiveTerms), the candidates, i.e.
   * the chunks holding a selective term; then the scores of those candidates, with every query term.
   * The candidates go to the last statement as an array parameter: a join against a subquery let the
   * planner pick a nested loop that compared every posting with every candidate (6.5 s at 10k chunks).
   */
  async lexicalSearch(
    terms: readonly string[],
    scope: SearchScope,
    limit: number,
    p: Bm25Params = DEFAULT_BM25,
    cut: CommonTermCut = DEFAULT_COMMON_TERM_CUT,
  ): Promise<IndexedHit[]> {
    const distinct = [...new Set(terms)].filter((t) => t.length <= MAX_TERM_CHARS);
    if (!distinct.length) return [];
    const kbOnly = { ...scope, documentIds: null, tags: null };
    const [kbFilter, kbParams] = scopeFilter(kbOnly, 'k', 2);
    const [stats] = (await this.db.query(
      `SELECT coalesce(sum(chunk_count), 0)::float8 AS n, coalesce(sum(total_terms), 0)::float8 / greatest(sum(chunk_count), 1) AS avgdl
       FROM retrieval_kb_stats k WHERE ${scopeFilter(kbOnly, 'k', 1)[0]}`,
      kbParams,
    )) as Array<{ n: number; avgdl: number }>;
    if (!stats.n) return [];
    const dfRows: Array<{ term: string; df: number }> = await this.db.query(
      `SELECT k.term, sum(k.df)::float8 AS df FROM retrieval_term_stats k WHERE k.term = ANY($1::text[]) AND ${kbFilter} GROUP BY k.term`,
      [distinct, ...kbParams],
    );
    const dfs = new Map(dfRows.filter((r) => r.df > 0).map((r) => [r.term, r.df]));
    if (!dfs.size) return [];
    const selective = selectiveTerms(stats.n, dfs, cut);
    let candidates: string[] | null = null;
    if (selective.size < dfs.size) {
      const rows: Array<{ id: string }> = await this.db.query(
        `SELECT DISTINCT k.chunk_id AS id FROM retrieval_terms k WHERE k.term = ANY($1::text[]) AND ${kbFilter}`,
        [[...selective], ...kbParams],
      );
      candidates = rows.map((r) => r.id);
    }
    const scored = [...dfs.keys()];
    const [chunkFilter, params] = scopeFilter(scope, 'c', 6);
    const termKb = scopeFilter(kbOnly, 't', 6)[0];
    const onlyCandidates = candidates ? `AND t.chunk_id = ANY($${6 + params.length}::uuid[])` : '';
    return this.db.query(
      `SELECT ${HIT_COLUMNS}, s.score FROM (
         SELECT t.chunk_id, sum(
           q.idf * t.tf * ($3::float8 + 1)
             / (t.tf + $3::float8 * (1 - $4::float8 + $4::float8 * c.term_count / greatest($5::float8, 1)))
         ) AS score
         FROM unnest($1::text[], $2::float8[]) AS q(term, idf)
         JOIN retrieval_terms t ON t.term = q.term
         JOIN retrieval_chunks c ON c.chunk_id = t.chunk_id
         WHERE ${termKb} AND ${chunkFilter} ${onlyCandidates}
         GROUP BY t.chunk_id
         ORDER BY score DESC, t.chunk_id
         LIMIT ${Math.floor(limit)}
       ) s JOIN retrieval_chunks c ON c.chunk_id = s.chunk_id ORDER BY s.score DESC, c.chunk_id`,
      [scored, scored.map((t) => bm25Idf(stats.n, dfs.get(t)!)), p.k1, p.b, stats.avgdl, ...params, ...(candidates ? [candidates] : [])],
    );
  }

  /**
   * Nearest chunks by cosine through the embedder's HNSW index. The scope is in the WHERE clause and
   * pgvector's iterative scan keeps walking the graph until enough rows pass it, so a narrow filter
   * does not starve the result. ORDER BY is the distance alone: any tie-breaker would stop the
   * planner from reading the order off the index.
   */
  async vectorSearch(vector: Float32Array, embedderId: string, scope: SearchScope, limit: number, efSearch?: number): Promise<IndexedHit[]> {
    const dim = vector.length;
    const [filter, params] = scopeFilter(scope, 'c', 3);
    return this.db.transaction(async (m) => {
      let ef = efSearch;
      if (ef === undefined) {
        const [kbFilter, kbParams] = scopeFilter({ ...scope, documentIds: null, tags: null }, 'k', 1);
        const [{ n }] = await m.query(`SELECT coalesce(sum(chunk_count), 0)::float8 AS n FROM retrieval_kb_stats k WHERE ${kbFilter}`, kbParams);
        ef = efSearchFor(n, limit);
      }
      await m.query(`SET LOCAL hnsw.ef_search = ${Math.min(MAX_EF_SEARCH, Math.max(limit, Math.floor(ef)))}`);
      await m.query(`SET LOCAL hnsw.iterative_scan = strict_order`);
      return m.query(
        `SELECT ${HIT_COLUMNS}, 1 - (c.embedding::vector(${dim}) <=> $1::vector(${dim})) AS score
         FROM retrieval_chunks c
         WHERE c.embedder_id = ${sqlLiteral(embedderId)} AND ${filter}
         ORDER BY c.embedding::vector(${dim}) <=> $1::vector(${dim})
         LIMIT $2`,
        [vectorLiteral(vector), limit, ...params],
      );
    });
  }

  /**
   * Which of `ids` are knowledge bases the caller may read. Reads the documents module's
   * `knowledge_bases` table (the one place a knowledge base exists, with or without indexed chunks),
   * so an unknown id can be told from an empty one.
   */
  async readableKnowledgeBases(ids: readonly string[], readable: readonly string[] | null): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM knowledge_bases WHERE id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))`,
      [[...ids], readable === null ? null : [...readable]],
    );
    return rows.map((r) => r.id);
  }

  /** Exact cosine (no index), best first, for measuring the HNSW index's recall. */
  async exactVectorSearch(vector: Float32Array, embedderId: string, scope: SearchScope, limit: number): Promise<Array<{ chunkId: string; score: number }>> {
    const [filter, params] = scopeFilter(scope, 'c', 3);
    return this.db.transaction(async (m) => {
      await m.query(`SET LOCAL enable_indexscan = off`);
      return m.query(
        `SELECT c.chunk_id AS "chunkId", 1 - (c.embedding <=> $2::vector) AS score FROM retrieval_chunks c
         WHERE c.embedder_id = $1 AND ${filter}
         ORDER BY c.embedding <=> $2::vector, c.chunk_id LIMIT ${Math.floor(limit)}`,
        [embedderId, vectorLiteral(vector), ...params],
      );
    });
  }


  /**
   * Makes the partial HNSW index an embedder's vectors need (the default embedder's comes with the
   * migration). `maintenanceMemory` (e.g. '512MB') lets a bulk build keep the graph in memory.
   */
  async ensureVectorIndex(embedderId: string, dimension: number, maintenanceMemory?: string, graph: HnswGraph = DEFAULT_HNSW_GRAPH): Promise<void> {
    await this.db.transaction(async (m) => {
      if (maintenanceMemory) await m.query(`SET LOCAL maintenance_work_mem = ${sqlLiteral(maintenanceMemory)}`);
      await m.query(
        `CREATE INDEX IF NOT EXISTS ${vectorIndexName(embedderId)} ON retrieval_chunks
           USING hnsw ((embedding::vector(${Math.floor(dimension)})) vector_cosine_ops)
           WITH (m = ${Math.floor(graph.m)}, ef_construction = ${Math.floor(graph.efConstruction)})
         WHERE embedder_id = ${sqlLiteral(embedderId)}`,
      );
    });
  }

  /** The storage options of an embedder's HNSW index ("m='16', ef_construction='64'"), null when it has none. */
  async vectorIndexOptions(embedderId: string): Promise<string | null> {
    const [row] = await this.db.query(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [vectorIndexName(embedderId)]);
    return row ? (/WITH \(([^)]*)\)/.exec(row.indexdef)?.[1] ?? '') : null;
  }

  /** Drops an embedder's HNSW index: before a bulk load (rebuild after with ensureVectorIndex), or when retiring it. */
  async dropVectorIndex(embedderId: string): Promise<void> {
    await this.db.query(`DROP INDEX IF EXISTS ${vectorIndexName(embedderId)}`);
  }

  /** The embedder a knowledge base's vectors belong to, and the one it is switching to (null when none). */
  async knowledgeBaseEmbedder(knowledgeBaseId: string): Promise<KnowledgeBaseEmbedder | null> {
    const [row] = await this.db.query(
      `SELECT embedder_id AS "embedderId", pending_embedder_id AS "pendingEmbedderId", chunk_count AS chunks
       FROM retrieval_kb_stats WHERE knowledge_base_id = $1`,
      [knowledgeBaseId],
    );
    return row ?? null;
  }

  /**
   * The embedders whose vectors the knowledge bases in scope hold: each one's current embedder and,
   * while it switches, the target. A small table, so this costs far less than the search itself.
   */
  async embeddersInScope(scope: SearchScope): Promise<string[]> {
    const [filter, params] = scopeFilter({ ...scope, documentIds: null, tags: null }, 'k', 1);
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT DISTINCT e.id FROM retrieval_kb_stats k, unnest(ARRAY[k.embedder_id, k.pending_embedder_id]) AS e(id)
       WHERE e.id IS NOT NULL AND ${filter} ORDER BY e.id`,
      params,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Starts a switch to `embedderId`: recorded as pending, so new documents are embedded with it and
   * searches query both embedders. A knowledge base with nothing indexed yet switches at once
   * ('switched'); one already on that embedder is left alone ('unchanged').
   */
  async startEmbedderSwitch(knowledgeBaseId: string, embedderId: string): Promise<'switched' | 'unchanged' | 'pending'> {
    return this.db.transaction(async (m) => {
      const [row]: Array<{ embedder_id: string; pending_embedder_id: string | null; chunk_count: number }> = await m.query(
        `SELECT embedder_id, pending_embedder_id, chunk_count FROM retrieval_kb_stats WHERE knowledge_base_id = $1 FOR UPDATE`,
        [knowledgeBaseId],
      );
      if (!row || row.chunk_count === 0) {
        await m.query(
          `INSERT INTO retrieval_kb_stats (knowledge_base_id, embedder_id) VALUES ($1, $2)
           ON CONFLICT (knowledge_base_id) DO UPDATE SET embedder_id = excluded.embedder_id, pending_embedder_id = NULL, updated_at = now()`,
          [knowledgeBaseId, embedderId],
        );
        return 'switched';
      }
      if (row.embedder_id === embedderId && row.pending_embedder_id === null) return 'unchanged';
      // Switching back to the current embedder while a switch runs is a switch too: the chunks already moved must come back.
      await m.query(`UPDATE retrieval_kb_stats SET pending_embedder_id = $2, updated_at = now() WHERE knowledge_base_id = $1`, [knowledgeBaseId, embedderId]);
      return 'pending';
    });
  }

  /** Chunks of a knowledge base not yet embedded by `embedderId` (the re-embedding job's next batch). */
  async chunksToReembed(knowledgeBaseId: string, embedderId: string, limit: number): Promise<Array<{ chunkId: string; text: string; context: string }>> {
    return this.db.query(
      `SELECT chunk_id AS "chunkId", text, context FROM retrieval_chunks
       WHERE knowledge_base_id = $1 AND embedder_id <> $2 ORDER BY chunk_id LIMIT $3`,
      [knowledgeBaseId, embedderId, limit],
    );
  }

  async updateEmbeddings(knowledgeBaseId: string, embedderId: string, chunkIds: readonly string[], vectors: readonly Float32Array[]): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `UPDATE retrieval_chunks c SET embedder_id = $2, embedding = u.emb::vector
         FROM unnest($3::uuid[], $4::text[]) AS u(id, emb) WHERE c.chunk_id = u.id AND c.knowledge_base_id = $1`,
        [knowledgeBaseId, embedderId, [...chunkIds], vectors.map(vectorLiteral)],
      );
    });
  }

  /**
   * Ends a switch: `embedderId` becomes the knowledge base's embedder, unless another switch has
   * replaced it meanwhile (then the newer job finishes it). Returns whether it took effect.
   */
  async setKnowledgeBaseEmbedder(knowledgeBaseId: string, embedderId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `UPDATE retrieval_kb_stats SET embedder_id = $2, pending_embedder_id = NULL, updated_at = now()
       WHERE knowledge_base_id = $1 AND (pending_embedder_id IS NULL OR pending_embedder_id = $2) RETURNING 1`,
      [knowledgeBaseId, embedderId],
    );
    return (Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows).length > 0;
  }
}

/** The scope as SQL over alias `a`, with its parameters numbered from `first`. */
function scopeFilter(scope: SearchScope, a: string, first: number): [string, unknown[]] {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    parts.push(sql(first + params.length - 1));
  };
  if (scope.readableKnowledgeBaseIds !== null) add((n) => `${a}.knowledge_base_id = ANY($${n}::uuid[])`, [...scope.readableKnowledgeBaseIds]);
  if (scope.knowledgeBaseIds) add((n) => `${a}.knowledge_base_id = ANY($${n}::uuid[])`, [...scope.knowledgeBaseIds]);
  if (scope.documentIds) add((n) => `${a}.document_id = ANY($${n}::uuid[])`, [...scope.documentIds]);
  if (scope.tags?.length) add((n) => `${a}.tags @> $${n}::text[]`, [...scope.tags]);
  return [parts.length ? parts.join(' AND ') : 'true', params];
}

export function vectorLiteral(v: Float32Array): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + (Number.isFinite(v[i]) ? v[i] : 0);
  return s + ']';
}

/** The migration names the default embedder's index the same way. */
function vectorIndexName(embedderId: string): string {
  return `retrieval_chunks_hnsw_${embedderId.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`.slice(0, 63);
}

/** Embedder ids go into index predicates as literals (a partial index only matches a literal). */
function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

