import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HashedFeaturesEmbedder } from '../../src/retrieval/embed/hashed-features.embedder';
import { isFound, parseQaJsonl } from '../../src/retrieval/eval/qa-set';
import { MemoryIndex } from '../../src/retrieval/rank/memory-index';
import { SEARCH_MODES, type FusionOptions } from '../../src/retrieval/rank/search-options';
import { analyze } from '../../src/retrieval/text/lexical-analyzer';
import { chunkFolder } from './qa-corpus';

/**
 * Why questions are missed: for every question not found in the hybrid top K, the rank of the first
 * found chunk in each mode (up to 100), the query's terms, and the best found chunk's opening.
 * Usage: node dist/bench/retrieval/misses.js QA_SET_DIR [K=5] [FUSION_JSON, e.g. '{"answerTypeWeight":0}'] [--quiet]
 */
async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? '');
  const k = Number(process.argv[3] ?? 5);
  const fusion = JSON.parse(process.argv[4] ?? '{}') as FusionOptions;
  const quiet = process.argv.includes('--quiet');
  const questions = parseQaJsonl(readFileSync(join(dir, 'questions.jsonl'), 'utf8'));
  const chunks = await chunkFolder(join(dir, 'docs'));
  const index = new MemoryIndex(new HashedFeaturesEmbedder());
  await index.addAll(chunks);
  const sizes = chunks.map((c) => c.text.length).sort((a, b) => a - b);
  console.log(`${questions.length} questions, ${chunks.length} chunks; chunk chars p50 ${sizes[sizes.length >> 1]}, max ${sizes[sizes.length - 1]}`);
  let missed = 0;
  for (const q of questions) {
    const ranks: Record<string, number | null> = {};
    for (const mode of SEARCH_MODES) {
      const hits = await index.search(q.question, mode, 100, fusion);
      const at = hits.findIndex((h) => isFound(q, h.chunk));
      ranks[mode] = at < 0 ? null : at + 1;
    }
    if (ranks.hybrid !== null && ranks.hybrid <= k) continue;
    missed++;
    if (quiet) continue;
    const lex = await index.search(q.question, 'lexical', 100);
    const first = lex.find((h) => isFound(q, h.chunk));
    console.log(`\n? ${q.question}  [${q.answers.join(' | ')}]`);
    console.log(`  ranks hybrid ${ranks.hybrid} vector ${ranks.vector} lexical ${ranks.lexical}; terms ${analyze(q.question).join(' ')}`);
    console.log(`  top: ${lex[0]?.chunk.text.replace(/\s+/g, ' ').slice(0, 160)}`);
    if (first) console.log(`  gold: ${first.chunk.text.replace(/\s+/g, ' ').slice(0, 240)}`);
  }
  console.log(`\nmissed in hybrid top ${k}: ${missed} of ${questions.length}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
