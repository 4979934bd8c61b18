import { randomUUID } from 'node:crypto';
import { splitSentences } from '../../ingestion';
import type { DocumentToIndex } from '../../src/retrieval/store/retrieval.types';
import type { IndexedChunk } from '../../src/retrieval/rank/memory-index';

/**
 * A corpus of any size with real vocabulary: each synthetic chunk is 3-8 sentences drawn (seeded)
 * from the real QA passages, so texts are distinct (no tied vectors to blur HNSW recall) and term
 * statistics look like real Chinese and English text.
 */
export function syntheticDocuments(source: readonly IndexedChunk[], chunks: number, knowledgeBaseId: string, chunksPerDocument = 100, seed = 1): DocumentToIndex[] {
  const sentences = source.flatMap((c) => splitSentences(c.text)).filter((s) => s.trim().length > 4);
  let state = seed >>> 0;
  const rand = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const docs: DocumentToIndex[] = [];
  for (let made = 0; made < chunks; made += chunksPerDocument) {
    const count = Math.min(chunksPerDocument, chunks - made);
    docs.push({
      knowledgeBaseId,
      documentId: randomUUID(),
      documentName: `synthetic-${docs.length}.txt`,
      tags: [],
      chunks: Array.from({ length: count }, (_, index) => ({
        chunkId: randomUUID(),
        index,
        text: Array.from({ length: 3 + rand(6) }, () => sentences[rand(sentences.length)]).join(''),
        context: '',
        provenance: {},
      })),
    });
  }
  return docs;
}
