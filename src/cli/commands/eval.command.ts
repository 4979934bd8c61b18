import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { evaluateRetrieval, formatReport } from '../../retrieval/eval/retrieval-eval';
import { parseQaJsonl, type FoundRule } from '../../retrieval/eval/qa-set';
import { RetrievalService } from '../../retrieval';
import { QaFormatError } from '../../retrieval/retrieval.errors';
import { UsageError } from '../cli-errors';
import { printJson, withAppContext } from '../cli-context';
import { createProgress } from '../progress';
import { parseK, parseMode } from './search.command';
import { listDocs, withTemporaryCorpus } from './eval-corpus';
import { addEvalAnswersCommand } from './eval-answers.command';

interface EvalFlags {
  qa: string;
  docs: string;
  k: string;
  mode: string;
  rule: string;
  json?: boolean;
}

/**
 * `zhiku eval retrieval --qa FILE.jsonl --docs DIR [--k 1,5,10] [--mode hybrid,vector,lexical] [--json]`:
 * ingests DIR into a fresh temporary knowledge base of the real index, runs every question in every
 * mode, prints recall@k, MRR@10 and nDCG@10, and removes the temporary knowledge base again.
 */
export function registerEvalCommand(program: Command): void {
  const group = program.command('eval').description('evaluate Zhiku against question sets');
  addEvalAnswersCommand(group);
  group
    .command('retrieval')
    .description('retrieval quality: recall@k, MRR@10, nDCG@10 per search mode')
    .requiredOption('--qa <file>', 'questions, one JSON object a line: {"question", "answers": [..], "doc"?}')
    .requiredOption('--docs <dir>', 'folder of the documents the questions are about')
    .option('--k <list>', 'cut-offs for recall', '1,5,10')
    .option('--mode <list>', 'modes to run', 'hybrid,vector,lexical')
    .option('--rule <rule>', 'found when a chunk has an answer or is from a gold doc (doc-or-answer), or only from a gold doc (doc)', 'doc-or-answer')
    .option('--json', 'print the report as JSON')
    .action(async (flags: EvalFlags, command: Command) => {
      const ks = [...new Set(flags.k.split(',').map((v) => parseK(v.trim(), 1000)))].sort((a, b) => a - b);
      const modes = [...new Set(flags.mode.split(',').map((m) => parseMode(m.trim())))];
      if (flags.rule !== 'doc-or-answer' && flags.rule !== 'doc') throw new UsageError(`--rule must be doc-or-answer or doc, got ${flags.rule}`);
      const items = await readQa(flags.qa);
      const files = await listDocs(flags.docs);
      const report = await withAppContext(command, async (ctx) => {
        const retrieval = ctx.get(RetrievalService);
        return withTemporaryCorpus(ctx, flags.docs, files, flags.json, async (_kb, auth) => {
          const ask = createProgress({ label: 'questions', total: items.length * modes.length, json: flags.json });
          const result = await evaluateRetrieval(
            items,
            // The temporary knowledge base is in the index only (no knowledge_bases row): `auth` is scoped to it.
            async (query, mode, k) => (await retrieval.search(auth, { query, mode, k: Math.min(k, 100) })).results,
            { modes, ks, rule: flags.rule as FoundRule, onQuestion: () => ask.tick() },
          );
          ask.finish();
          return result;
        });
      });
      if (flags.json) printJson(report);
      else process.stdout.write(formatReport(report));
    });
}

async function readQa(file: string) {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`cannot read the QA file ${file}`);
  });
  try {
    const items = parseQaJsonl(text);
    if (!items.length) throw new UsageError(`${file} has no questions`);
    return items;
  } catch (e) {
    if (e instanceof QaFormatError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}
