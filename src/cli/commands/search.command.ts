import type { Command } from 'commander';
import type { AuthContext } from '../../auth';
import { KnowledgeBasesService } from '../../documents/knowledge-bases.service';
import { MAX_K } from '../../retrieval/store/retrieval.engine';
import { SEARCH_MODES, type SearchMode } from '../../retrieval/rank/search-options';
import { RetrievalService } from '../../retrieval';
import type { SearchHitDto } from '../../retrieval/dto/search.dto';
import { UsageError } from '../cli-errors';
import { printJson, withAppContext } from '../cli-context';

interface SearchFlags {
  kb?: string[];
  k: string;
  mode: string;
  rerank?: boolean;
  json?: boolean;
}

/** The CLI acts as the operator (see docs/platform.md): every knowledge base, unless --kb narrows it. */
export const OPERATOR: AuthContext = { keyId: 'cli', keyName: 'cli operator', role: 'admin', knowledgeBases: 'all' };

export function parseK(value: string, max = MAX_K): number {
  const k = Number(value);
  if (!Number.isInteger(k) || k < 1 || k > max) throw new UsageError(`-k must be an integer from 1 to ${max}, got ${value}`);
  return k;
}

export function parseMode(value: string): SearchMode {
  if (!SEARCH_MODES.includes(value as SearchMode)) throw new UsageError(`--mode must be one of ${SEARCH_MODES.join(', ')}, got ${value}`);
  return value as SearchMode;
}

/** `zhiku search "QUERY" [--kb NAME]... [-k 5] [--mode hybrid] [--rerank] [--json]` */
export function registerSearchCommand(program: Command): void {
  program
    .command('search')
    .description('search the knowledge bases (hybrid: BM25 + vectors fused by reciprocal rank)')
    .argument('<query>', 'what to look for')
    .option('--kb <name>', 'knowledge base name or id to search (repeatable; default all)', (v: string, prev: string[] = []) => [...prev, v])
    .option('-k <n>', 'how many chunks', '5')
    .option('--mode <mode>', `one of ${SEARCH_MODES.join(', ')}`, 'hybrid')
    .option('--rerank', 'reorder the fused top 50 with the cross-encoder of RETRIEVAL_RERANKER_DIR')
    .option('--json', 'print the results as JSON')
    .action(async (query: string, flags: SearchFlags, command: Command) => {
      const k = parseK(flags.k);
      const mode = parseMode(flags.mode);
      if (!query.trim()) throw new UsageError('the query is empty');
      const response = await withAppContext(command, async (ctx) => {
        const knowledgeBases = flags.kb ? await resolveKnowledgeBases(ctx.get(KnowledgeBasesService), flags.kb) : undefined;
        return ctx.get(RetrievalService).search(OPERATOR, { query, k, mode, knowledgeBases, rerank: flags.rerank });
      });
      if (flags.json) printJson(response);
      else process.stdout.write(formatHits(response.results));
    });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** --kb takes names (case-insensitive, as `zhiku ingest --kb` makes them) or ids. */
export async function resolveKnowledgeBases(knowledgeBases: KnowledgeBasesService, values: readonly string[]): Promise<string[]> {
  const all = await knowledgeBases.list(OPERATOR);
  return values.map((value) => {
    const found = all.find((kb) => kb.id === value || kb.name.toLowerCase() === value.toLowerCase());
    if (!found) throw new UsageError(`no knowledge base named ${value}${UUID.test(value) ? ' (or with that id)' : ''}`);
    return found.id;
  });
}

export function formatHits(hits: readonly SearchHitDto[]): string {
  if (!hits.length) return 'no results\n';
  return hits
    .map((h, i) => {
      const where = [h.documentName, h.pages?.length ? `p${h.pages.join(',')}` : '', h.cellRanges?.length ? `${h.sheets?.[0] ?? ''}!${h.cellRanges[0]}` : '', h.headingPath.join(' > ')]
        .filter(Boolean)
        .join('  ');
      const text = h.text.replace(/\s+/g, ' ');
      return `${String(i + 1).padStart(2)}. [${h.score.toFixed(4)}] ${where}\n    ${text.length > 240 ? text.slice(0, 240) + '…' : text}`;
    })
    .join('\n') + '\n';
}
