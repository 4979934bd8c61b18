import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AssistantService, WritingService } from '../../assistant';
import { MAX_QUESTION_CHARS, type AskResponseDto } from '../../assistant/dto/ask.dto';
import { KnowledgeBasesService } from '../../documents/knowledge-bases.service';
import { UsageError } from '../cli-errors';
import { printJson, withAppContext } from '../cli-context';
import { OPERATOR, resolveKnowledgeBases } from './search.command';

interface AskFlags {
  kb?: string[];
  model?: string;
  json?: boolean;
  k?: string;
}

interface WriteFlags {
  text: string;
  model?: string;
  tone?: string;
  length?: string;
  language?: string;
  instructions?: string;
  to?: string;
  kb?: string[];
  json?: boolean;
}

const repeatable = (v: string, prev: string[] = []) => [...prev, v];

/** The `--json` shape of `zhiku ask` (issue 6): answer, mode, citations with their location. */
export function askJson(r: AskResponseDto) {
  return {
    answer: r.answer,
    mode: r.mode,
    citations: r.citations.map((c) => ({
      index: c.index,
      document: c.document,
      ...(c.page !== undefined ? { page: c.page } : {}),
      ...(c.sheet !== undefined ? { sheet: c.sheet } : {}),
      ...(c.cells !== undefined ? { cells: c.cells } : {}),
      text: c.text,
    })),
  };
}

function formatAnswer(r: AskResponseDto): string {
  const lines = [r.answer, '', `(${r.mode}${r.model ? `, ${r.model}` : ''})`];
  for (const c of r.citations) {
    const where = [c.page !== undefined ? `p. ${c.page}` : null, c.sheet ? `${c.sheet}${c.cells ? `!${c.cells}` : ''}` : null].filter(Boolean).join(', ');
    lines.push(`[${c.index}] ${c.document}${where ? ` (${where})` : ''}: ${Array.from(c.text.replace(/\s+/g, ' ')).slice(0, 160).join('')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `zhiku ask "QUESTION" [--kb NAME]... [--model NAME] [--json]` and `zhiku write TASK --text FILE`:
 * the assistant on the data directory without a server, as the operator (every knowledge base).
 */
export function registerAskCommand(program: Command): void {
  program
    .command('ask')
    .description('ask the knowledge bases; the answer cites its sources (extractive when no model is registered)')
    .argument('<question>', 'the question')
    .option('--kb <name>', 'knowledge base name or id (repeatable; default all)', repeatable)
    .option('--model <name>', 'model name or name@version (default: the default model)')
    .option('-k <n>', 'chunks to retrieve (1-20)', '6')
    .option('--json', 'print {answer, mode, citations} as JSON')
    .action(async (question: string, flags: AskFlags, command: Command) => {
      if (!question.trim()) throw new UsageError('the question is empty');
      if (Array.from(question).length > MAX_QUESTION_CHARS) throw new UsageError(`the question is longer than ${MAX_QUESTION_CHARS} characters`);
      const k = Number(flags.k);
      if (!Number.isInteger(k) || k < 1 || k > 20) throw new UsageError(`-k must be an integer from 1 to 20, got ${flags.k}`);
      const result = await withAppContext(command, async (ctx) => {
        const knowledgeBases = flags.kb ? await resolveKnowledgeBases(ctx.get(KnowledgeBasesService), flags.kb) : undefined;
        return ctx.get(AssistantService).ask(OPERATOR, { question, knowledgeBases, model: flags.model, k }, new AbortController().signal);
      });
      if (flags.json) printJson(askJson(result));
      else process.stdout.write(formatAnswer(result));
    });

  program
    .command('write')
    .description('writing assistant: summarize, rewrite, expand, polish, continue, translate, outline (needs a model)')
    .argument('<task>', 'the task (or a task an admin added a template for)')
    .requiredOption('--text <file>', 'the text to work on (- for stdin)')
    .option('--model <name>', 'model name or name@version')
    .option('--tone <tone>', 'neutral, formal, casual, friendly, professional, persuasive, academic')
    .option('--length <length>', 'short, medium, long')
    .option('--language <language>', 'auto, zh, en')
    .option('--instructions <text>', 'extra instructions')
    .option('--to <language>', 'target language (translate)')
    .option('--kb <name>', 'ground the text in this knowledge base (repeatable)', repeatable)
    .option('--json', 'print the result as JSON')
    .action(async (task: string, flags: WriteFlags, command: Command) => {
      const text = flags.text === '-' ? await readStdin() : await readFile(flags.text, 'utf8').catch(() => {
        throw new UsageError(`cannot read --text ${flags.text}`);
      });
      if (!text.trim()) throw new UsageError('the text is empty');
      const result = await withAppContext(command, async (ctx) => {
        const knowledgeBases = flags.kb ? await resolveKnowledgeBases(ctx.get(KnowledgeBasesService), flags.kb) : undefined;
        const writing = ctx.get(WritingService);
        const dto = { text, model: flags.model, tone: flags.tone, length: flags.length, language: flags.language, instructions: flags.instructions, targetLanguage: flags.to, knowledgeBases };
        const prepared = await writing.prepare(OPERATOR, task, dto, new AbortController().signal);
        return writing.write(prepared, flags.json ? undefined : (piece) => process.stdout.write(piece));
      });
      if (flags.json) printJson(result);
      else process.stdout.write('\n');
    });
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
