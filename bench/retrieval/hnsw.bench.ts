import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/database/data-source.factory';
import { HashedFeaturesEmbedder } from '../../src/retrieval/embed/hashed-features.embedder';
import { parseQaJsonl } from '../../src/retrieval/eval/qa-set';
import { indexText } from '../../src/retrieval/rank/memory-index';
import { efSearchFor, RetrievalRepository } from '../../src/retrieval/store/retrieval.repository';
import { chunkFolder } from './qa-corpus';
import { syntheticDocuments } from './synthetic-corpus';

/**
 * HNSW recall alone: SIZE synthetic chunks' vectors (no BM25 postings, so loading is quick), one
 * index build per graph setting, recall@10 against exact cosine and query latency per ef_search.
 * Usage: node dist/bench/retrieval/hnsw.bench.js SIZE [GRAPHS=16x64,24x128] [EF_SEARCH=200,auto] [QUERIES=100]
 */
const QA = join(__dirname, '../../../..', 'shared/data/qa');

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 30_000);
  const graphs = (process.argv[3] ?? '16x64,24x128').split(',').map((g) => {
    const [m, efConstruction] = g.split('x').map(Number);
    return { m, efConstruction };
  });
  const efs = (process.argv[4] ?? '200,auto').split(',').map((v) => (v === 'auto' ? undefined : Number(v)));
  const queryCount = Number(process.argv[5] ?? 100);
  const source = [];
  const questions: string[] = [];
  for (const set of readdirSync(QA).sort()) {
    source.push(...(await chunkFolder(join(QA, set, 'docs'))));
    questions.push(...parseQaJsonl(readFileSync(join(QA, set, 'questions.jsonl'), 'utf8')).map((q) => q.question));
  }
  const embedder = new HashedFeaturesEmbedder();
  const dataDir = mkdtempSync(join(tmpdir(), 'zhiku-hnsw-'));
  const ds = await createDataSource(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), { runMigrations: true });
  try {
    const repo = new RetrievalRepository(ds);
    const kb = randomUUID();
    await repo.dropVectorIndex(embedder.id);
    let t = performance.now();
    for (const doc of syntheticDocuments(source, size, kb)) {
      const embeddings = await embedder.embedBatch(doc.chunks.map(indexText), 'passage');
      await repo.indexDocument({ ...doc, embedderId: embedder.id, terms: doc.chunks.map(() => []), embeddings });
    }
    await repo.refreshStatisticsIfGrown();
    console.log(`${size} vectors loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const scope = { readableKnowledgeBaseIds: [kb] };
    const qs = Array.from({ length: queryCount }, (_, i) => questions[(i * 7) % questions.length]);
    const queryVectors = await embedder.embedBatch(qs, 'query');
    const exact = [];
    for (const v of queryVectors) exact.push(await repo.exactVectorSearch(v, embedder.id, scope, 10));
    for (const graph of graphs) {
      await repo.dropVectorIndex(embedder.id);
      t = performance.now();
      await repo.ensureVectorIndex(embedder.id, embedder.dimension, '1GB', graph);
      console.log(`m=${graph.m} ef_construction=${graph.efConstruction}: built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      for (const ef of efs) {
        let recall = 0;
        const times: number[] = [];
        for (const [i, v] of queryVectors.entries()) {
          const s = performance.now();
          const approx = await repo.vectorSearch(v, embedder.id, scope, 10, ef);
          times.push(performance.now() - s);
          const ids = new Set(exact[i].map((e) => e.chunkId));
          recall += approx.filter((h) => ids.has(h.chunkId)).length / Math.max(1, exact[i].length);
        }
        times.sort((a, b) => a - b);
        console.log(
          `  ef_search ${ef ?? `auto (${efSearchFor(size, 10)})`}: recall@10 ${(recall / qs.length).toFixed(3)}, ` +
            `p50 ${percentile(times, 50).toFixed(1)} ms p95 ${percentile(times, 95).toFixed(1)} ms`,
        );
      }
    }
  } finally {
    await ds.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
