import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/database/data-source.factory';
import type { Embedder } from '../../src/retrieval/embed/embedder';
import { RetrievalEngine } from '../../src/retrieval/store/retrieval.engine';
import { RetrievalRepository } from '../../src/retrieval/store/retrieval.repository';
import type { IndexedChunk, MemoryHit } from '../../src/retrieval/rank/memory-index';
import type { FusionOptions, SearchMode } from '../../src/retrieval/rank/search-options';

/** The QA chunks in the real index on a temporary embedded database, searched like MemoryIndex. */
export async function openDbSearcher(embedder: Embedder, chunks: readonly IndexedChunk[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhiku-quality-'));
  const ds = await createDataSource(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), { runMigrations: true });
  const engine = new RetrievalEngine(new RetrievalRepository(ds), embedder);
  const kb = randomUUID();
  const byDoc = new Map<string, IndexedChunk[]>();
  for (const c of chunks) byDoc.set(c.documentName, [...(byDoc.get(c.documentName) ?? []), c]);
  for (const [name, list] of byDoc) {
    await engine.indexDocument({
      knowledgeBaseId: kb,
      documentId: randomUUID(),
      documentName: name,
      tags: [],
      chunks: list.map((c, index) => ({ chunkId: randomUUID(), index, text: c.text, context: c.context, provenance: {} })),
    });
  }
  return {
    async search(query: string, mode: SearchMode, k: number, fusion: FusionOptions = {}): Promise<MemoryHit[]> {
      const hits = await engine.search({ query, mode, k, fusion, scope: { readableKnowledgeBaseIds: [kb] } });
      return hits.map((h, id) => ({ id, score: h.score, chunk: { text: h.text, context: h.context, documentName: h.documentName } }));
    },
    async close() {
      await ds.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
