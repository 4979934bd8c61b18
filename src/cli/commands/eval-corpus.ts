import { randomUUID } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkDocument, disposeIngestion, IngestionError, parse } from '../../../ingestion';
import type { INestApplicationContext } from '@nestjs/common';
import { RetrievalService } from '../../retrieval';
import type { AuthContext } from '../../auth';
import { KnowledgeBasesService } from '../../documents/knowledge-bases.service';
import { CommandFailedError, UsageError } from '../cli-errors';
import { createProgress } from '../progress';
import { OPERATOR } from './search.command';

/** The files of an evaluation's --docs folder (not recursive), sorted so runs are comparable. */
export async function listDocs(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--docs ${dir} is not a folder`);
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) if (entry.isFile()) names.push(entry.name);
  if (!names.length) throw new UsageError(`--docs ${dir} holds no files`);
  return names.sort();
}

async function chunkFile(path: string) {
  try {
    const parsed = await parse(await readFile(path), path.split(/[\\/]/).pop()!, {});
    return chunkDocument(parsed).map((c) => ({ chunkId: randomUUID(), index: c.index, text: c.text, context: c.context, provenance: { ...c.provenance } }));
  } catch (e) {
    if (e instanceof IngestionError) throw new CommandFailedError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * Indexes the evaluation documents into a temporary knowledge base of the real index (document names
 * are the file names, which QA files cite as "doc"), runs `evaluate` with an operator scoped to it, and
 * removes the knowledge base again whatever happens. The knowledge base is a real one (searches refuse
 * ids that name none), named so it cannot clash with a user's.
 */
export async function withTemporaryCorpus<T>(
  ctx: INestApplicationContext,
  docsDir: string,
  files: readonly string[],
  json: boolean | undefined,
  evaluate: (kb: string, auth: AuthContext) => Promise<T>,
): Promise<T> {
  const retrieval = ctx.get(RetrievalService);
  const knowledgeBases = ctx.get(KnowledgeBasesService);
  const kb = (await knowledgeBases.create(OPERATOR, { name: `zhiku-eval-${randomUUID()}`, description: 'temporary: zhiku eval' })).id;
  const documentIds: string[] = [];
  try {
    const progress = createProgress({ label: 'indexing', total: files.length, json });
    for (const file of files) {
      const documentId = randomUUID();
      documentIds.push(documentId);
      await retrieval.indexDocument({ knowledgeBaseId: kb, documentId, documentName: file, tags: [], chunks: await chunkFile(join(docsDir, file)) });
      progress.tick(1, file);
    }
    progress.finish();
    return await evaluate(kb, { ...OPERATOR, knowledgeBases: [kb] });
  } finally {
    for (const id of documentIds) await retrieval.removeDocument(id);
    await knowledgeBases.delete(OPERATOR, kb);
    await disposeIngestion();
  }
}
