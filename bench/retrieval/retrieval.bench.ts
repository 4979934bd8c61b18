import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/database/data-source.factory';
import { HashedFeaturesEmbedder } from '../../src/retrieval/embed/hashed-features.embedder';
import { parseQaJsonl } from '../../src/retrieval/eval/qa-set';
import { RetrievalEngine } from '../../src/retrieval/store/retrieval.engine';
import { RetrievalRepository } from '../../src/retrieval/store/retrieval.repository';
import { indexText, type IndexedChunk } from '../../src/retrieval/rank/memory-index';
import { SEARCH_MODES } from '../../src/retrieval/rank/search-options';
import { chunkFolder } from './qa-corpus';
import { syntheticDocuments } from './synthetic-corpus';

/**
 * Retrieval benchmark on embedded PGlite: default-embedder throughput, index build time, query
 * latency p50/p95 per mode and HNSW recall@10 against exact cosine on the same vectors, for each
 * corpus size. Usage: node dist/bench/retrieval/retrieval.bench.js [SIZES=10000,100000] [QUERIES=100] [BULK_FROM=50000] [EF_SEARCH=40,100,200,400]
 */
const QA = join(__dirname, '../../../..', 'shared/data/qa');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const queryCount = Number(process.argv[3] ?? 100);
  const bulkFrom = Number(process.argv[4] ?? 50_000);
  const efs = (process.argv[5] ?? '40,100,200,400').split(',').map(Number);
  const source: IndexedChunk[] = [];
  const questions: string[] = [];
  for (const set of readdirSync(QA).sort()) {
    source.push(...(await chunkFolder(join(QA, set, 'docs'))));
    questions.push(...parseQaJsonl(readFileSync(join(QA, set, 'questions.jsonl'), 'utf8')).map((q) => q.question));
  }
  const embedder = new HashedFeaturesEmbedder();
  const texts = source.map(indexText);
  let t = performance.now();
  await embedder.embedBatch(texts, 'passage');
  const embedS = (performance.now() - t) / 1000;
  console.log(`default embedder ${embedder.id}: ${(texts.length / embedS).toFixed(0)} chunks/s (${texts.length} real QA chunks, one thread)`);

  for (const size of sizes) {
    const dataDir = mkdtempSync(join(tmpdir(), 'zhiku-bench-'));
    const ds = await createDataSource(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), { runMigrations: true });
    try {
      const engine = new RetrievalEngine(new RetrievalRepository(ds), embedder);
      const repo = new RetrievalRepository(ds);
      const kb = randomUUID();
      const docs = syntheticDocuments(source, size, kb);
      // From BULK_FROM chunks on, load without the HNSW index and build it once at the end (an initial import).
      const bulk = size >= bulkFrom;
      if (bulk) await repo.dropVectorIndex(embedder.id);
      t = performance.now();
      for (const [i, d] of docs.entries()) {
        await engine.indexDocument(d);
        if ((i + 1) % 100 === 0) process.stderr.write(`  indexed ${(i + 1) * 100} chunks, ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
      }
      const loadS = (performance.now() - t) / 1000;
      if (bulk) await repo.ensureVectorIndex(embedder.id, embedder.dimension, '1GB');
      const buildS = (performance.now() - t) / 1000;
      console.log(
        `\n${size} chunks: indexed in ${buildS.toFixed(1)} s (${(size / buildS).toFixed(0)} chunks/s: embed + BM25 postings + HNSW)` +
          (bulk ? `; bulk: rows ${loadS.toFixed(1)} s, then HNSW build ${(buildS - loadS).toFixed(1)} s` : ', HNSW maintained per insert'),
      );
      await repo.refreshStatisticsIfGrown();
      const scope = { readableKnowledgeBaseIds: [kb] };
      const qs = Array.from({ length: queryCount }, (_, i) => questions[(i * 7) % questions.length]);
      for (const mode of SEARCH_MODES) {
        await engine.search({ query: qs[0], mode, k: 10, scope }); // warm
        const times: number[] = [];
        for (const q of qs) {
          const s = performance.now();
          await engine.search({ query: q, mode, k: 10, scope });
          times.push(performance.now() - s);
        }
        times.sort((a, b) => a - b);
        console.log(`  ${mode.padEnd(8)} p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms  (${queryCount} queries, k=10)`);
      }
      // Recall@10 of the index against exact cosine, per ef_search. "ties" counts an approximate hit as
      // right when its exact score equals the 10th exact score: sparse hashed vectors have many equal scores.
      for (const ef of efs) {
        let strict = 0;
        let tied = 0;
        const times: number[] = [];
        for (const q of qs) {
          const [v] = await embedder.embedBatch([q], 'query');
          const s = performance.now();
          const approx = await repo.vectorSearch(v, embedder.id, scope, 10, ef);
          times.push(performance.now() - s);
          const exact = await repo.exactVectorSearch(v, embedder.id, scope, 10);
          const ids = new Set(exact.map((e) => e.chunkId));
          const tenth = exact[exact.length - 1]?.score ?? 0;
          strict += approx.filter((h) => ids.has(h.chunkId)).length / exact.length;
          tied += approx.filter((h) => ids.has(h.chunkId) || h.score >= tenth - 1e-6).length / exact.length;
        }
        times.sort((a, b) => a - b);
        console.log(
          `  HNSW ef_search=${ef}: recall@10 ${(strict / qs.length).toFixed(3)} (with ties ${(tied / qs.length).toFixed(3)}), ` +
            `vector query p50 ${percentile(times, 50).toFixed(1)} ms p95 ${percentile(times, 95).toFixed(1)} ms (m=16, ef_construction=64)`,
        );
      }
    } finally {
      await ds.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
