import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
import { disposeIngestion } from '../../../ingestion';
import type { AuthContext } from '../../auth';
import { DocumentsService } from '../../documents/documents.service';
import { IngestDocumentHandler } from '../../documents/ingest-document.handler';
import { KnowledgeBasesService } from '../../documents/knowledge-bases.service';
import { CommandFailedError, UsageError } from '../cli-errors';
import { printJson, withAppContext } from '../cli-context';
import { createProgress } from '../progress';

interface IngestFlags {
  kb: string;
  json?: boolean;
  password?: string;
}

/** The CLI acts as the operator: every knowledge base, no key. */
const OPERATOR: AuthContext = { keyId: 'cli', keyName: 'cli operator', role: 'admin', knowledgeBases: 'all' };

export interface IngestFileResult {
  path: string;
  documentId: string | null;
  /** ready / failed; a file already ingested into the knowledge base is `ready` with duplicate: true. */
  status: 'ready' | 'failed';
  duplicate: boolean;
  format: string | null;
  pages: number | null;
  blocks: number | null;
  chunks: number;
  characters: number | null;
  ms: number;
  error: string | null;
}

/**
 * `zhiku ingest PATHS... [--kb NAME] [--json] [--password P]`: files and folders (recursive) into a
 * knowledge base (created if needed), through the same store and ingestion pipeline as an upload,
 * on the data directory without a server. One line per file; exit 1 if any file failed.
 */
export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('ingest files and folders (recursive) into a knowledge base')
    .argument('<paths...>', 'files or folders')
    .option('--kb <name>', 'knowledge base name (created when missing)', 'default')
    .option('--json', 'print the results as JSON')
    .option('--password <password>', 'password of encrypted PDFs / xlsx / docx')
    .action(async (paths: string[], flags: IngestFlags, command: Command) => {
      const kbName = flags.kb.trim();
      if (!kbName || kbName.length > 200) throw new UsageError('--kb must be a name of 1 to 200 characters');
      const files = await collectFiles(paths);
      const { knowledgeBase, results } = await withAppContext(command, async (ctx) => {
        try {
          const { knowledgeBase } = await ctx.get(KnowledgeBasesService).findOrCreate(OPERATOR, kbName);
          const documents = ctx.get(DocumentsService);
          const handler = ctx.get(IngestDocumentHandler);
          const bar = createProgress({ label: `ingesting into ${knowledgeBase.name}`, total: files.length, json: flags.json });
          const results: IngestFileResult[] = [];
          for (const file of files) {
            const name = path.basename(file);
            const result = await ingestOne(file, knowledgeBase.id, documents, handler, flags.password, (m) => bar.update(results.length, `${name}: ${m}`));
            results.push(result);
            bar.update(results.length, `${name}: ${result.status}`);
          }
          bar.finish(`${results.filter((r) => r.status === 'failed').length} failed`);
          return { knowledgeBase, results };
        } finally {
          await disposeIngestion();
        }
      });
      const failed = results.filter((r) => r.status === 'failed');
      if (flags.json) printJson({ knowledgeBase: { id: knowledgeBase.id, name: knowledgeBase.name }, files: results, failed: failed.length });
      else process.stdout.write(formatResults(results));
      if (failed.length) throw new CommandFailedError(`${failed.length} of ${results.length} file(s) failed`);
    });
}

async function ingestOne(
  file: string,
  knowledgeBaseId: string,
  documents: DocumentsService,
  handler: IngestDocumentHandler,
  password: string | undefined,
  onProgress: (message: string) => void,
): Promise<IngestFileResult> {
  const started = Date.now();
  const base: IngestFileResult = { path: file, documentId: null, status: 'failed', duplicate: false, format: null, pages: null, blocks: null, chunks: 0, characters: null, ms: 0, error: null };
  try {
    const { document, duplicate } = await documents.addLocalFile(OPERATOR, knowledgeBaseId, file);
    if (duplicate && document.status === 'ready') {
      const { format, pages, blocks, chunkCount: chunks, characters } = document;
      return { ...base, documentId: document.id, status: 'ready', duplicate, format, pages, blocks, chunks, characters, ms: Date.now() - started };
    }
    // The job handler itself, run here rather than queued: the CLI role consumes no jobs.
    const signal = new AbortController().signal;
    const outcome = await handler.runLocal(document.id, password, { signal, progress: async (_p, m) => onProgress(m ?? '') });
    const { format, pages, blocks, chunks, characters, error } = outcome;
    const status = outcome.status === 'ready' ? 'ready' : 'failed';
    return { ...base, documentId: document.id, status, duplicate, format, pages, blocks, chunks, characters, error, ms: Date.now() - started };
  } catch (error) {
    return { ...base, error: (error as Error)?.message ?? String(error), ms: Date.now() - started };
  }
}

/** Files named directly, and every file under the folders named (sorted, dot files skipped). */
export async function collectFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or folder: ${p}`);
    if (info.isDirectory()) files.push(...(await walk(p)));
    else if (info.isFile()) files.push(p);
    else throw new UsageError(`not a file or folder: ${p}`);
  }
  if (!files.length) throw new UsageError(`no files to ingest in ${paths.join(', ')}`);
  return [...new Set(files)];
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

function formatResults(results: readonly IngestFileResult[]): string {
  const n = (v: number | null) => (v === null ? '-' : String(v));
  const lines = ['status  pages  blocks  chunks  chars     ms      file'];
  for (const r of results) {
    // dup: already ingested into this knowledge base, nothing was parsed again.
    const status = r.duplicate && r.status === 'ready' ? 'dup' : r.status;
    lines.push(
      `${status.padEnd(7)} ${n(r.pages).padStart(5)}  ${n(r.blocks).padStart(6)}  ${String(r.chunks).padStart(6)}  ${n(r.characters).padStart(8)}  ${String(r.ms).padStart(6)}  ${r.path}${r.error ? `  error: ${r.error}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
