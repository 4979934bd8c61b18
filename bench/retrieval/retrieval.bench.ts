import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/database/data-source.factory';
import { HashedFeaturesEmbedder } from '../../src/retrieval/embed/hashed-features.embedder';
import { parseQaJsonl } from '../../src/retrieval/eval/qa-set';
import { RetrievalEngine } from '../../src/retrieval/store/retrieval.engine';
import { efSearchFor, RetrievalRepository } from '../../src/retrieval/store/retrieval.repository';
import { indexText, type IndexedChunk } from '../../src/retrieval/rank/memory-index';
import { SEARCH_MODES } from '../../src/retrieval/rank/search-options';
import { DEFAULT_BM25 } from '../../src/retrieval/rank/bm25';
import { analyze } from '../../src/retrieval/text/lexical-analyzer';
import { chunkFolder } from './qa-corpus';
import { syntheticDocuments } from './synthetic-corpus';

/**
 * Retrieval benchmark on embedded PGlite: default-embedder throughput, index build time, query
 * latency p50/p95 per mode and HNSW recall@10 against exact cosine on the same vectors, for each
 * corpus size. Usage: node dist/bench/retrieval/retrieval.bench.js [SIZES=10000,100000] [QUERIES=100] [BULK_FROM=50000] [EF_SEARCH=100,200,auto] [KEEP_DIR]
 * KEEP_DIR: keep each size's database in KEEP_DIR/SIZE and, when it is already there, measure it again
 * without reloading (loading 100k chunks takes a quarter of an hour on embedded PGlite).
 */
const QA = join(__dirname, '../../../..', 'shared/data/qa');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const queryCount = Number(process.argv[3] ?? 100);
  const bulkFrom = Number(process.argv[4] ?? 50_000);
  // 'auto': the ef_search the repository picks for the collection's size (efSearchFor).
  const efs = (process.argv[5] ?? '100,200,auto').split(',').map((v) => (v === 'auto' ? undefined : Number(v)));
  const keep = process.argv[6];
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
    const dataDir = keep ? join(keep, String(size)) : mkdtempSync(join(tmpdir(), 'zhiku-bench-'));
    mkdirSync(dataDir, { recursive: true });
    const marker = join(dataDir, 'bench-kb');
    const reuse = existsSync(marker);
    const ds = await createDataSource(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), { runMigrations: true });
    try {
      const engine = new RetrievalEngine(new RetrievalRepository(ds), embedder);
      const repo = new RetrievalRepository(ds);
      const kb = reuse ? readFileSync(marker, 'utf8').trim() : randomUUID();
      if (reuse) console.log(`\n${size} chunks: reusing ${dataDir}`);
      else {
        const docs = syntheticDocuments(source, size, kb);
        // From BULK_FROM chunks on, load without the HNSW index and build it once at the end (an initial import).
        const bulk = size >= bulkFrom;
        if (bulk) {
          // The engine makes an embedder's index once per process, before its first document: let it, then
          // drop the index, so the load runs without it and the build below makes it once.
          await engine.ensureVectorIndex(embedder);
          await repo.dropVectorIndex(embedder.id);
        }
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
        if (keep) writeFileSync(marker, kb);
      }
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
      // The common-term cut against exhaustive BM25 on the same index: latency and top-10 agreement.
      {
        const exhaustive = { fraction: 1, minDf: Number.MAX_SAFE_INTEGER };
        const timesCut: number[] = [];
        const timesAll: number[] = [];
        let agree = 0;
        for (const q of qs) {
          const terms = analyze(q);
          let s = performance.now();
          const cut = await repo.lexicalSearch(terms, scope, 100);
          timesCut.push(performance.now() - s);
          s = performance.now();
          const all = await repo.lexicalSearch(terms, scope, 100, DEFAULT_BM25, exhaustive);
          timesAll.push(performance.now() - s);
          const top = new Set(all.slice(0, 10).map((h) => h.chunkId));
          agree += top.size ? cut.slice(0, 10).filter((h) => top.has(h.chunkId)).length / top.size : 1;
        }
        timesCut.sort((a, b) => a - b);
        timesAll.sort((a, b) => a - b);
        console.log(
          `  BM25 (100 candidates) with the common-term cut p50 ${percentile(timesCut, 50).toFixed(1)} ms p95 ${percentile(timesCut, 95).toFixed(1)} ms; ` +
            `exhaustive p50 ${percentile(timesAll, 50).toFixed(1)} ms p95 ${percentile(timesAll, 95).toFixed(1)} ms; top-10 agreement ${(agree / qs.length).toFixed(3)}`,
        );
      }
      // Recall@10 of the index against exact cosine, per ef_search. "ties" counts an approximate hit as
      // right when its exact score equals the 10th exact score: sparse hashed vectors have many equal scores.
      const options = await repo.vectorIndexOptions(embedder.id);
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
          `  HNSW ef_search=${ef ?? `auto (${efSearchFor(size, 10)})`}: recall@10 ${(strict / qs.length).toFixed(3)} (with ties ${(tied / qs.length).toFixed(3)}), ` +
            `vector query p50 ${percentile(times, 50).toFixed(1)} ms p95 ${percentile(times, 95).toFixed(1)} ms (${options})`,
        );
      }
    } finally {
      await ds.destroy();
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
