import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/database/data-source.factory';
import { parseQaJsonl } from '../../src/retrieval/eval/qa-set';
import { DEFAULT_BM25 } from '../../src/retrieval/rank/bm25';
import { RetrievalRepository } from '../../src/retrieval/store/retrieval.repository';
import { analyze } from '../../src/retrieval/text/lexical-analyzer';

/**
 * BM25 at a size the indexer would take an hour to load: a database kept by retrieval.bench.js
 * (KEEP_DIR/SIZE, which it changes: copy it first) gets its chunks and postings copied COPIES times
 * in SQL, with term statistics scaled to match and the HNSW index dropped (lexical only; the copies'
 * vectors would tie). Then the 100 bench questions run with the common-term cut and exhaustively,
 * interleaved. Usage: node dist/bench/retrieval/lexical-scale.bench.js DATA_DIR COPIES
 */
const QA = join(__dirname, '../../../..', 'shared/data/qa');
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const [dir, copies] = [process.argv[2], Number(process.argv[3] ?? 10)];
  const ds = await createDataSource(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn' }), { runMigrations: false });
  try {
    const kb = readFileSync(join(dir, 'bench-kb'), 'utf8').trim();
    if (!existsSync(join(dir, 'scaled'))) {
      const t = performance.now();
      await ds.query(`DROP INDEX IF EXISTS retrieval_chunks_hnsw_zhiku_hashed_v1_512`);
      await ds.query(`CREATE TABLE scale_src AS SELECT chunk_id FROM retrieval_chunks`);
      for (let i = 1; i < copies; i++) {
        await ds.query(`CREATE TABLE scale_map AS SELECT chunk_id AS old, gen_random_uuid() AS new FROM scale_src`);
        await ds.query(
          `INSERT INTO retrieval_chunks (chunk_id, knowledge_base_id, document_id, document_name, chunk_index, text, context, provenance, tags, term_count, embedder_id, embedding)
           SELECT m.new, c.knowledge_base_id, c.document_id, c.document_name, c.chunk_index, c.text, c.context, c.provenance, c.tags, c.term_count, c.embedder_id, c.embedding
           FROM retrieval_chunks c JOIN scale_map m ON m.old = c.chunk_id`,
        );
        await ds.query(`INSERT INTO retrieval_terms (term, knowledge_base_id, chunk_id, tf) SELECT t.term, t.knowledge_base_id, m.new, t.tf FROM retrieval_terms t JOIN scale_map m ON m.old = t.chunk_id`);
        await ds.query(`DROP TABLE scale_map`);
        process.stderr.write(`  copy ${i}: ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
      }
      await ds.query(`UPDATE retrieval_term_stats SET df = df * ${copies}`);
      await ds.query(`UPDATE retrieval_kb_stats SET chunk_count = chunk_count * ${copies}, total_terms = total_terms * ${copies}`);
      await ds.query(`ANALYZE retrieval_chunks, retrieval_terms, retrieval_term_stats, retrieval_kb_stats`);
      writeFileSync(join(dir, 'scaled'), String(copies));
    }
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM retrieval_chunks`);
    const repo = new RetrievalRepository(ds);
    const questions: string[] = [];
    for (const set of readdirSync(QA).sort()) questions.push(...parseQaJsonl(readFileSync(join(QA, set, 'questions.jsonl'), 'utf8')).map((q) => q.question));
    const qs = Array.from({ length: 100 }, (_, i) => questions[(i * 7) % questions.length]);
    const scope = { readableKnowledgeBaseIds: [kb] };
    const exhaustive = { fraction: 1, minDf: Number.MAX_SAFE_INTEGER };
    const withCut: number[] = [];
    const without: number[] = [];
    let agree = 0;
    await repo.lexicalSearch(analyze(qs[0]), scope, 100); // warm
    for (const q of qs) {
      const terms = analyze(q);
      let s = performance.now();
      const cut = await repo.lexicalSearch(terms, scope, 100);
      withCut.push(performance.now() - s);
      s = performance.now();
      const all = await repo.lexicalSearch(terms, scope, 100, DEFAULT_BM25, exhaustive);
      without.push(performance.now() - s);
      // Copies tie, so the top-10 scores are compared, not ids.
      const a = all.slice(0, 10).map((h) => Number(h.score).toFixed(9));
      const c = cut.slice(0, 10).map((h) => Number(h.score).toFixed(9));
      agree += a.length ? a.filter((x, i) => x === c[i]).length / a.length : 1;
    }
    withCut.sort((a, b) => a - b);
    without.sort((a, b) => a - b);
    console.log(
      `${n} chunks: BM25 with the common-term cut p50 ${percentile(withCut, 50).toFixed(1)} ms p95 ${percentile(withCut, 95).toFixed(1)} ms; ` +
        `exhaustive p50 ${percentile(without, 50).toFixed(1)} ms p95 ${percentile(without, 95).toFixed(1)} ms; top-10 score agreement ${(agree / qs.length).toFixed(3)}`,
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
