import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chunkDocument, parse } from '../../ingestion';
import type { IndexedChunk } from '../../src/retrieval/rank/memory-index';

/** Parses and chunks every file of a QA set's docs/ folder with the ingestion library. */
export async function chunkFolder(dir: string): Promise<IndexedChunk[]> {
  const out: IndexedChunk[] = [];
  for (const name of readdirSync(dir).sort()) {
    const parsed = await parse(new Uint8Array(readFileSync(join(dir, name))), name, { enableOcr: false });
    for (const c of chunkDocument(parsed)) out.push({ text: c.text, context: c.context, documentName: name });
  }
  return out;
}
