import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HashedFeaturesEmbedder } from '../../src/retrieval/embed/hashed-features.embedder';
import { summarize } from '../../src/retrieval/eval/metrics';
import { isFound, parseQaJsonl, type FoundRule } from '../../src/retrieval/eval/qa-set';
import { MemoryIndex, type MemoryHit } from '../../src/retrieval/rank/memory-index';
import { SEARCH_MODES, type FusionOptions } from '../../src/retrieval/rank/search-options';
import { chunkFolder } from './qa-corpus';
import { openDbSearcher } from './db-searcher';

/**
 * Retrieval quality in memory (no database): every QA set in ../shared/data/qa, chunked by the
 * ingestion chunker, indexed with our BM25 and the default embedder (exact cosine), each question run
 * in every mode. Prints recall@1/5/10, MRR@10 and nDCG@10 under the found rule and the strict
 * gold-document rule. Usage: node dist/bench/retrieval/quality.js [QA_ROOT] [--dim N] [--db] [--fusion JSON]
 * (--db: the same through the PostgreSQL index on a temporary embedded database: SQL BM25 and HNSW).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dimAt = args.indexOf('--dim');
  const dimension = dimAt >= 0 ? Number(args[dimAt + 1]) : 512;
  const fusionAt = args.indexOf('--fusion');
  const fusion = fusionAt >= 0 ? (JSON.parse(args[fusionAt + 1]) as FusionOptions) : {};
  const valueAt = new Set([dimAt, fusionAt].filter((i) => i >= 0).map((i) => i + 1));
  const root = resolve(args.find((a, i) => !a.startsWith('--') && !valueAt.has(i)) ?? join(__dirname, '../../../..', 'shared/data/qa'));
  if (!existsSync(root)) throw new Error(`no QA folder at ${root}`);
  const ks = [1, 5, 10];
  const embedder = new HashedFeaturesEmbedder({ dimension });
  console.log(`embedder ${embedder.id}; QA root ${root}`);
  for (const set of readdirSync(root).sort()) {
    const dir = join(root, set);
    if (!existsSync(join(dir, 'questions.jsonl'))) continue;
    const questions = parseQaJsonl(readFileSync(join(dir, 'questions.jsonl'), 'utf8'));
    const t0 = performance.now();
    const chunks = await chunkFolder(join(dir, 'docs'));
    const t1 = performance.now();
    const db = args.includes('--db') ? await openDbSearcher(embedder, chunks) : null;
    const index = new MemoryIndex(embedder);
    if (!db) await index.addAll(chunks);
    const t2 = performance.now();
    console.log(`\n${set}: ${questions.length} questions, ${chunks.length} chunks (chunking ${((t1 - t0) / 1000).toFixed(1)} s, indexing ${((t2 - t1) / 1000).toFixed(1)} s)`);
    console.log('mode     rule           R@1    R@5    R@10   MRR@10 nDCG@10');
    for (const mode of SEARCH_MODES) {
      const hits: MemoryHit[][] = [];
      for (const q of questions) hits.push(db ? await db.search(q.question, mode, 10, fusion) : await index.search(q.question, mode, 10, fusion));
      for (const rule of ['doc-or-answer', 'doc'] as FoundRule[]) {
        const judged = questions.map((q, i) => hits[i].map((h) => isFound(q, h.chunk, rule)));
        const s = summarize(judged, ks);
        const f = (x: number) => x.toFixed(3).padEnd(7);
        console.log(`${mode.padEnd(9)}${rule.padEnd(15)}${f(s['recall@1'])}${f(s['recall@5'])}${f(s['recall@10'])}${f(s['mrr@10'])}${f(s['ndcg@10'])}`);
      }
    }
    await db?.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
