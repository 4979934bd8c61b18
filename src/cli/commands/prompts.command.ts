import * as fs from 'node:fs';
import type { Command } from 'commander';
import type { AuthContext } from '../../auth';
import { PromptsService } from '../../prompts';
import { printJson, printLines, withAppContext } from '../cli-context';
import { UsageError } from '../cli-errors';

/** The CLI acts as the operator (see docs/platform.md). */
const OPERATOR: AuthContext = { keyId: 'cli', keyName: 'cli operator', role: 'admin', knowledgeBases: 'all' };

function positiveInt(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a positive integer, got "${raw}"`);
  return n;
}

/** Variables from a JSON file (--vars) and `--set name=value` pairs (text values), the pairs winning. */
function readVariables(file: string | undefined, pairs: string[] = []): Record<string, unknown> {
  let variables: Record<string, unknown> = {};
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`--vars ${file}: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--vars ${file} must hold a JSON object of variable values`);
    variables = parsed as Record<string, unknown>;
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--set takes name=value, got "${pair}"`);
    variables[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return variables;
}

/** `zhiku prompts list|show|render`: the prompt templates, straight on the database. */
export function registerPromptsCommand(program: Command): void {
  const prompts = program.command('prompts').description('list, show and render prompt templates');

  prompts
    .command('list')
    .description('list the prompt templates with their active versions')
    .option('--task <task>', 'only this task (qa, summarize, ...)')
    .option('--language <language>', 'only this language (zh, en)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { task?: string; language?: string; json?: boolean }, command: Command) => {
      const list = await withAppContext(command, (ctx) => ctx.get(PromptsService).list(OPERATOR, { task: flags.task, language: flags.language }));
      if (flags.json) printJson(list);
      else printLines(list.length ? list.map((p) => `${p.name.padEnd(18)} v${p.activeVersion}/${p.latestVersion}  ${p.shipped ? 'shipped' : 'custom '}  ${p.description}`) : ['no prompt templates']);
    });

  prompts
    .command('show')
    .description('print a template file (the active version unless --version)')
    .argument('<name>', 'template name, e.g. qa.zh')
    .option('--version <n>', 'a given version')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, flags: { version?: string; json?: boolean }, command: Command) => {
      const version = flags.version ? positiveInt(flags.version, '--version') : undefined;
      const prompt = await withAppContext(command, (ctx) => ctx.get(PromptsService).get(OPERATOR, name, version));
      if (flags.json) printJson(prompt);
      else process.stdout.write(prompt.source.endsWith('\n') ? prompt.source : `${prompt.source}\n`);
    });

  prompts
    .command('render')
    .description('render a template with variables and print the messages')
    .argument('<name>', 'template name, e.g. qa.zh')
    .option('--vars <file>', 'JSON file with the variable values')
    .option('--set <name=value...>', 'a text variable (repeatable)')
    .option('--budget <tokens>', 'trim context chunks to fit this many (estimated) tokens')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, flags: { vars?: string; set?: string[]; budget?: string; json?: boolean }, command: Command) => {
      const variables = readVariables(flags.vars, flags.set);
      const budget = flags.budget ? positiveInt(flags.budget, '--budget') : undefined;
      const rendered = await withAppContext(command, (ctx) => ctx.get(PromptsService).render(name, variables, { budget }));
      if (flags.json) printJson(rendered);
      else printLines(rendered.messages.flatMap((m) => [`### ${m.role}`, m.content, '']));
    });
}
