import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { AuthContext } from '../../auth';
import { DatasetsService, EXPORT_FORMATS, IMPORT_FORMATS, llamaFactoryInfo, NothingImportedError, type ExportFormat, type ImportFormat, type RowReject } from '../../finetune/datasets';
import { printJson, printLines, withAppContext } from '../cli-context';
import { CommandFailedError, UsageError } from '../cli-errors';

/** The CLI acts as the operator (see docs/platform.md). */
const OPERATOR: AuthContext = { keyId: 'cli', keyName: 'cli operator', role: 'admin', knowledgeBases: 'all' };
const SHOWN_REJECTS = 10;

const rejectLine = (r: RowReject) => `  row ${r.row}${r.sheet ? ` (${r.sheet})` : ''}: ${r.reason}`;

/** NAME or NAME@VERSION. */
function parseRef(ref: string): { name: string; version?: number } {
  const at = ref.lastIndexOf('@');
  if (at < 1) return { name: ref };
  const version = Number(ref.slice(at + 1));
  if (!Number.isInteger(version) || version < 1) throw new UsageError(`"${ref}": the version after @ must be a positive integer`);
  return { name: ref.slice(0, at), version };
}

/** `zhiku dataset import|export|list`: fine-tuning datasets, straight on the database. */
export function registerDatasetCommand(program: Command): void {
  const dataset = program.command('dataset').description('import, export and list fine-tuning datasets');

  dataset
    .command('import')
    .description('import a dataset file (alpaca/sharegpt JSON or JSONL, CSV, XLSX) as a new version')
    .argument('<file>', 'the dataset file')
    .requiredOption('--name <name>', 'dataset name (new, or an existing one to add a version to)')
    .option('--format <format>', `${IMPORT_FORMATS.join('|')} (detected from the content when left out)`)
    .option('--json', 'print the report as JSON')
    .action(async (file: string, flags: { name: string; format?: string; json?: boolean }, command: Command) => {
      if (flags.format && !IMPORT_FORMATS.includes(flags.format as ImportFormat)) throw new UsageError(`--format takes ${IMPORT_FORMATS.join(', ')}, got "${flags.format}"`);
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
      }
      try {
        const report = await withAppContext(command, (ctx) =>
          ctx.get(DatasetsService).import(OPERATOR, { name: flags.name, filename: path.basename(file), bytes, format: flags.format as ImportFormat | undefined }),
        );
        if (flags.json) return printJson(report);
        printLines([
          `${report.dataset} v${report.version}: imported ${report.imported} of ${report.rows} rows (${report.format}, ${report.layout}, ${report.encoding}); rejected ${report.rejected}; duplicates removed ${report.exactDuplicates} exact, ${report.nearDuplicates} near`,
          ...report.warnings.map((w) => `warning: ${w}`),
          ...(report.rejects.length ? ['rejected rows:', ...report.rejects.slice(0, SHOWN_REJECTS).map(rejectLine)] : []),
          ...(report.rejected > SHOWN_REJECTS ? [`  ... and ${report.rejected - SHOWN_REJECTS} more (--json lists them)`] : []),
        ]);
      } catch (error) {
        if (!(error instanceof NothingImportedError)) throw error;
        const rejects = (error.details as { rejects: RowReject[] }).rejects;
        if (flags.json) printJson({ imported: 0, rejected: rejects.length, rejects });
        throw new CommandFailedError([error.message, ...rejects.slice(0, SHOWN_REJECTS).map(rejectLine)].join('\n'));
      }
    });

  dataset
    .command('export')
    .description('write a dataset version as alpaca or sharegpt JSON (JSONL when FILE ends in .jsonl)')
    .argument('<ref>', 'NAME or NAME@VERSION (default: the latest version)')
    .requiredOption('--format <format>', EXPORT_FORMATS.join('|'))
    .requiredOption('--out <file>', 'output file (.json or .jsonl)')
    .option('--split <split>', 'only train or validation')
    .option('--llamafactory', 'also write dataset_info.json beside FILE for LLaMA-Factory')
    .option('--json', 'print what was written as JSON')
    .action(async (ref: string, flags: { format: string; out: string; split?: string; llamafactory?: boolean; json?: boolean }, command: Command) => {
      if (!EXPORT_FORMATS.includes(flags.format as ExportFormat)) throw new UsageError(`--format takes ${EXPORT_FORMATS.join(', ')}, got "${flags.format}"`);
      if (flags.split && flags.split !== 'train' && flags.split !== 'validation') throw new UsageError(`--split takes train or validation, got "${flags.split}"`);
      const { name, version } = parseRef(ref);
      const lines = flags.out.endsWith('.jsonl');
      const split = flags.split as 'train' | 'validation' | undefined;
      const out = await withAppContext(command, (ctx) => ctx.get(DatasetsService).export(name, { format: flags.format as ExportFormat, version, lines, split }));
      fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
      fs.writeFileSync(flags.out, out.content);
      const written = [flags.out];
      if (flags.llamafactory) {
        const infoPath = path.join(path.dirname(path.resolve(flags.out)), 'dataset_info.json');
        const existing = fs.existsSync(infoPath) ? (JSON.parse(fs.readFileSync(infoPath, 'utf8')) as Record<string, unknown>) : {};
        const entryName = path.basename(flags.out).replace(/\.jsonl?$/, '');
        fs.writeFileSync(infoPath, `${JSON.stringify({ ...existing, ...llamaFactoryInfo(entryName, path.basename(flags.out), flags.format as ExportFormat) }, null, 2)}\n`);
        written.push(infoPath);
      }
      const records = lines ? out.content.split('\n').filter(Boolean).length : (JSON.parse(out.content) as unknown[]).length;
      if (flags.json) printJson({ dataset: name, version: out.version, format: flags.format, records, files: written });
      else printLines([`${name} v${out.version}: ${records} records written to ${written.join(', ')}`]);
    });

  dataset
    .command('list')
    .description('list the datasets with their latest versions')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const list = await withAppContext(command, (ctx) => ctx.get(DatasetsService).list());
      if (flags.json) printJson(list);
      else printLines(list.length ? list.map((d) => `${d.name.padEnd(24)} v${d.latestVersion}  ${String(d.recordCount ?? 0).padStart(6)} records  ${d.description}`) : ['no datasets']);
    });
}
