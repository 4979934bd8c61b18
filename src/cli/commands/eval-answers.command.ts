import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AssistantService, TEMPLATE_REFUSALS } from '../../assistant';
import { containsAny, formatAnswerReport, summarise, type AnswerSample, type GoldItem } from '../../assistant/eval/answer-metrics';
import { UsageError } from '../cli-errors';
import { printJson, withAppContext } from '../cli-context';
import { createProgress } from '../progress';
import { listDocs, withTemporaryCorpus } from './eval-corpus';
import { mulberry32 } from '../../moe';

interface EvalAnswersFlags {
  qa: string;
  docs: string;
  model?: string;
  limit?: string;
  seed?: string;
  json?: boolean;
  details?: string;
}

interface AnswerQuestion {
  question: string;
  answers: GoldItem[];
  docs: string[];
}

/**
 * `zhiku eval answers --qa FILE.jsonl --docs DIR [--model NAME] [--limit N --seed S] [--details OUT.jsonl] [--json]`:
 * indexes DIR into a temporary knowledge base, asks every question through the assistant (the mode
 * a user would get: generative with --model or a registered default, else extractive) and prints
 * contains, contains_all, exact match, character F1, cited, citations_in_gold and refusals. The
 * temporary knowledge base is removed again; no conversation is stored. --details writes one JSON line
 * per question (question, gold, answer, whether it contains a gold answer, cited and gold documents),
 * the file to read when a figure moves.
 */
export function addEvalAnswersCommand(group: Command): void {
  group
    .command('answers')
    .description('answer quality: contains, contains_all, exact match, F1, citations, refusals')
    .requiredOption('--qa <file>', 'questions, one JSON object a line: {"question", "answers": [..], "doc"?}')
    .requiredOption('--docs <dir>', 'folder of the documents the questions are about')
    .option('--model <name>', 'model name or name@version (default: the default model, else extractive)')
    .option('--limit <n>', 'ask only n questions (a seeded sample)')
    .option('--seed <n>', 'seed of the --limit sample', '1')
    .option('--json', 'print the report as JSON')
    .option('--details <file>', 'also write one JSON line per question (answer, contains, citations) to this file')
    .action(async (flags: EvalAnswersFlags, command: Command) => {
      let questions = await readQuestions(flags.qa);
      if (flags.limit !== undefined) {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got ${flags.limit}`);
        questions = seededSample(questions, limit, Number(flags.seed) || 1);
      }
      // A --details path that cannot be written fails now, not after the whole evaluation.
      if (flags.details) await writeDetails(flags.details, []);
      const files = await listDocs(flags.docs);
      const report = await withAppContext(command, async (ctx) => {
        const assistant = ctx.get(AssistantService);
        return withTemporaryCorpus(ctx, flags.docs, files, flags.json, async (kb, auth) => {
          const bar = createProgress({ label: 'questions', total: questions.length, json: flags.json });
          const samples: AnswerSample[] = [];
          const modes = new Set<string>();
          for (const q of questions) {
            const r = await assistant.ask(auth, { question: q.question, knowledgeBases: [kb], model: flags.model }, new AbortController().signal, { store: false });
            modes.add(r.mode);
            samples.push({
              answer: r.answer,
              mode: r.mode,
              gold: q.answers,
              goldDocs: q.docs,
              citedDocuments: r.citations.map((c) => c.document),
              refused: r.mode === 'no-evidence' || TEMPLATE_REFUSALS.some((s) => r.answer.includes(s)),
            });
            bar.tick();
          }
          bar.finish();
          const answered = [...modes].filter((m) => m !== 'no-evidence');
          return { summary: summarise(samples, answered.length ? answered.join('+') : 'no-evidence'), samples: samples.map((s, i) => ({ question: questions[i].question, ...s })) };
        });
      });
      if (flags.details) await writeDetails(flags.details, report.samples);
      if (flags.json) printJson(report.summary);
      else process.stdout.write(formatAnswerReport(report.summary));
    });
}

async function writeDetails(file: string, samples: ReadonlyArray<AnswerSample & { question: string }>): Promise<void> {
  const lines = samples.map((s) =>
    JSON.stringify({ question: s.question, gold: s.gold, answer: s.answer, mode: s.mode, contains: containsAny(s.answer, s.gold), refused: s.refused, citedDocuments: s.citedDocuments, goldDocuments: s.goldDocs }),
  );
  await writeFile(file, lines.length ? `${lines.join('\n')}\n` : '').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot write --details file ${file}: ${e.message}`);
  });
}

/** The QA file keeps nested answer lists (sets of alternatives) for contains_all. */
async function readQuestions(file: string): Promise<AnswerQuestion[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`cannot read the QA file ${file}`);
  });
  const out: AnswerQuestion[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch (e) {
      throw new UsageError(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    // An item is a string or a list of alternatives, possibly nested (rgb_en writes [[[...]]]).
    const answers = Array.isArray(o.answers) ? o.answers.map((item) => (Array.isArray(item) ? flatStrings(item) : item)) : o.answers;
    const okItem = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'));
    if (typeof o.question !== 'string' || !o.question.trim()) throw new UsageError(`${file}:${i + 1}: "question" must be a non-empty string`);
    if (!Array.isArray(answers) || !answers.length || !answers.every(okItem)) throw new UsageError(`${file}:${i + 1}: "answers" must be a non-empty list of strings (or lists of alternatives)`);
    const doc = o.doc === undefined || o.doc === null ? [] : Array.isArray(o.doc) ? o.doc : [o.doc];
    if (!doc.every((d) => typeof d === 'string')) throw new UsageError(`${file}:${i + 1}: "doc" must be a file name or a list of them`);
    out.push({ question: o.question, answers: answers as GoldItem[], docs: doc as string[] });
  });
  if (!out.length) throw new UsageError(`${file} has no questions`);
  return out;
}

function flatStrings(value: unknown[]): unknown[] {
  return value.flatMap((v) => (Array.isArray(v) ? flatStrings(v) : [v]));
}

/** A reproducible sample (mulberry32 shuffle), kept in file order. */
function seededSample<T>(items: readonly T[], n: number, seed: number): T[] {
  const random = mulberry32(seed);
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, n).sort((a, b) => a - b).map((i) => items[i]);
}

