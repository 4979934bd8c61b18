import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { disposeIngestion, IngestionError, parse, type Block, type ParsedDocument } from '../../../ingestion';
import { CommandFailedError, UsageError } from '../cli-errors';

interface ParseFlags {
  password?: string;
  json?: boolean;
  ocr?: boolean;
}

/** `zhiku parse FILE [--password P] [--json] [--no-ocr]`: prints the parsed blocks; no database needed. */
export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description('parse one document (PDF, image, xlsx/xls/csv, docx, html, markdown, text) and print its blocks')
    .argument('<file>', 'the document to parse')
    .option('--password <password>', 'password of an encrypted PDF, xlsx or docx')
    .option('--json', 'print the parsed document as JSON')
    .option('--no-ocr', 'never OCR (scanned pages become warnings)')
    .action(async (file: string, flags: ParseFlags) => {
      const doc = await runParse(file, flags);
      process.stdout.write(flags.json ? `${JSON.stringify(doc, null, 2)}\n` : formatDocument(doc));
    });
}

export async function runParse(file: string, flags: ParseFlags): Promise<ParsedDocument> {
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UsageError(`no such file: ${file}`);
  if (!info.isFile()) throw new UsageError(`not a file: ${file}`);
  try {
    return await parse(await readFile(file), basename(file), { password: flags.password, enableOcr: flags.ocr !== false });
  } catch (error) {
    if (error instanceof IngestionError) throw new CommandFailedError(`${file}: ${error.message}`);
    throw error;
  } finally {
    await disposeIngestion();
  }
}

/** One line per block: kind, where it came from, text (tables keep their rows on following lines). */
export function formatDocument(doc: ParsedDocument): string {
  const { format, pages, warnings } = doc.metadata;
  const lines = [`${doc.filename}: ${format}, ${pages} page(s), ${doc.blocks.length} block(s)`];
  for (const w of warnings) lines.push(`  warning: ${w}`);
  doc.blocks.forEach((block, i) => lines.push(`${String(i).padStart(4)}  ${block.kind.padEnd(10)} ${where(block).padEnd(14)} ${indent(block.text)}`));
  return lines.join('\n') + '\n';
}

function where(block: Block): string {
  const p = block.provenance;
  if (p.sheet) return `${p.sheet}!${p.cellRange ?? ''}`.slice(0, 30);
  return p.page !== undefined ? `p${p.page}` : '';
}

function indent(text: string): string {
  return text.replace(/\n/g, `\n${' '.repeat(31)}`);
}
