/**
 * Robustness sweep: parses every real document in ../shared/data (docs/** and qa/<set>/docs/**)
 * with OCR on, and prints per file the format, pages, blocks, characters, time, warnings and red
 * flags. `--corrupt` parses damaged variants of each docs/ file instead (truncated, overwritten,
 * empty, wrong extension, plus a huge-image header and an inflating zip) and prints each outcome.
 * `--dump DIR` writes each file's text to DIR for reading. Asserts nothing. A synchronous loop in an
 * engine cannot be timed out from the same thread: the sweep then stops, and its last "parsing" line
 * on stderr names the variant. From the repository root:
 *   npm run build && node dist/bench/ingest/sweep.bench.js [--corrupt] [--only SUBSTRING] [--dump DIR]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { disposeIngestion, IngestionError, parse, type ParsedDocument } from '../../ingestion';
import { corruptVariants, hugePngHeader, inflatingXlsx, type CorruptVariant } from '../../ingestion/testing/corrupt-variants';
import { redFlags } from './red-flags';

const SLOW_MS = 30_000;
const CORRUPT_BUDGET_MS = 20_000;

function repoRoot(): string {
  if (existsSync(join(process.cwd(), 'package.json'))) return process.cwd();
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  throw new Error('run the sweep from the repository root');
}

const DATA = resolve(repoRoot(), '..', 'shared/data');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function documents(): string[] {
  const qa = existsSync(join(DATA, 'qa')) ? readdirSync(join(DATA, 'qa')).flatMap((set) => walk(join(DATA, 'qa', set, 'docs'))) : [];
  // Ground-truth transcriptions sit beside their images; they are answers, not documents.
  const docs = walk(join(DATA, 'docs')).filter((p) => !(p.endsWith('.txt') && existsSync(p.replace(/\.txt$/, '.tif'))));
  const only = value('--only');
  return [...docs, ...qa].filter((p) => !only || p.includes(only));
}

/** Passwords from SOURCES.md, so encrypted samples are read as their owners would. */
const PASSWORDS: Record<string, string> = { 'pdfjs__issue6010_1.pdf': 'abc', 'pdfminer__aes-256-r6.pdf': 'usersecret', 'excelize__encryptAES.xlsx': 'password' };

type Outcome = { kind: 'ok'; doc: ParsedDocument } | { kind: 'typed'; error: IngestionError } | { kind: 'untyped'; error: unknown } | { kind: 'hang' };

async function timed(run: () => Promise<ParsedDocument>, budgetMs: number): Promise<{ outcome: Outcome; ms: number; peakRssMb: number }> {
  const start = performance.now();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome>((done) => (timer = setTimeout(() => done({ kind: 'hang' }), budgetMs)));
  const outcome = await Promise.race([
    run().then(
      (doc): Outcome => ({ kind: 'ok', doc }),
      (error): Outcome => (error instanceof IngestionError ? { kind: 'typed', error } : { kind: 'untyped', error }),
    ),
    hang,
  ]);
  clearTimeout(timer);
  clearInterval(sampler);
  return { outcome, ms: performance.now() - start, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20) };
}

const unhandled: string[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(String((reason as Error)?.stack ?? reason)));

async function sweepReal(): Promise<void> {
  const dump = value('--dump');
  if (dump) mkdirSync(dump, { recursive: true });
  const files = documents();
  const rows: { file: string; ms: number; flags: string[] }[] = [];
  console.log(['file', 'format', 'pages', 'blocks', 'chars', 'ms', 'rssMB', 'warnings', 'flags'].join('\t'));
  for (const path of files) {
    const name = basename(path);
    const bytes = new Uint8Array(readFileSync(path));
    const { outcome, ms, peakRssMb } = await timed(() => parse(bytes, name, { password: PASSWORDS[name] }), 120_000);
    const flags: string[] = [];
    let cells = ['-', '-', '-', '-'];
    let warnings = '';
    if (outcome.kind === 'ok') {
      const doc = outcome.doc;
      const chars = doc.blocks.reduce((n, b) => n + b.text.length, 0);
      cells = [doc.metadata.format, String(doc.metadata.pages), String(doc.blocks.length), String(chars)];
      warnings = doc.metadata.warnings.length ? `${doc.metadata.warnings.length}: ${doc.metadata.warnings.slice(0, 3).join(' | ').slice(0, 200)}` : '';
      flags.push(...redFlags(doc));
      if (dump) writeFileSync(join(dump, `${name}.txt`), doc.blocks.map((b) => `[${b.kind}${b.provenance.page ? ` p${b.provenance.page}` : ''}${b.provenance.sheet ? ` ${b.provenance.sheet}!${b.provenance.cellRange ?? ''}` : ''}] ${b.text}`).join('\n'));
    } else if (outcome.kind === 'typed') {
      flags.push(`typed ${outcome.error.name}: ${outcome.error.message.slice(0, 120)}`);
    } else if (outcome.kind === 'untyped') {
      flags.push(`UNTYPED ${(outcome.error as Error)?.name}: ${String((outcome.error as Error)?.message ?? outcome.error).slice(0, 120)}`);
    } else flags.push('HANG');
    if (ms > SLOW_MS) flags.push('slow');
    const shown = path.includes('/qa/') ? relative(join(DATA, 'qa'), path) : name;
    // The qa passages are many and plain: print only those with something to say.
    if (!path.includes('/qa/') || flags.length) console.log([shown, ...cells, ms.toFixed(0), peakRssMb, warnings, flags.join('; ')].join('\t'));
    rows.push({ file: shown, ms, flags });
  }
  const flagged = rows.filter((r) => r.flags.some((f) => !f.startsWith('typed ')));
  console.log(`\n${rows.length} files, ${flagged.length} with red flags (typed errors not counted), ${unhandled.length} unhandled rejections`);
  console.log('slowest:', [...rows].sort((a, b) => b.ms - a.ms).slice(0, 5).map((r) => `${r.file} ${(r.ms / 1000).toFixed(1)} s`).join(', '));
}

function specials(): CorruptVariant[] {
  const pdf = readFileSync(join(DATA, 'docs/pdf/pdfjs__issue12823.pdf'));
  const xlsx = readFileSync(join(DATA, 'docs/xlsx/exceljs__fibonacci.xlsx'));
  return [
    { name: 'pdf named .xlsx', bytes: new Uint8Array(pdf), filename: 'report.xlsx' },
    { name: 'xlsx named .pdf', bytes: new Uint8Array(xlsx), filename: 'report.pdf' },
    { name: 'png header 100000x100000', bytes: hugePngHeader(100_000, 100_000), filename: 'huge.png' },
    { name: 'png header 9000x9000 (under the pixel limit), no pixel data', bytes: hugePngHeader(9000, 9000), filename: 'big.png' },
    { name: 'xlsx inflating to 600 MB', bytes: inflatingXlsx(600), filename: 'bomb.xlsx' },
  ];
}

async function sweepCorrupt(): Promise<void> {
  const files = documents().filter((p) => p.includes('/docs/') && !p.includes('/qa/'));
  const counts = new Map<string, number>();
  const bad: string[] = [];
  const slowest: { what: string; ms: number }[] = [];
  const variants = files.flatMap((path) => corruptVariants(new Uint8Array(readFileSync(path)), basename(path)).map((v) => ({ ...v, name: `${basename(path)}: ${v.name}` })));
  for (const variant of [...variants, ...specials()]) {
    // A synchronous loop inside an engine blocks the timer below too: the last "parsing" line names it.
    process.stderr.write(`parsing ${variant.name}\n`);
    // Two OCR'd pages are enough to exercise a damaged scan; eight would only measure tesseract.
    const { outcome, ms, peakRssMb } = await timed(() => parse(variant.bytes, variant.filename, { limits: { maxOcrPages: 2 } }), CORRUPT_BUDGET_MS);
    const key = outcome.kind === 'typed' ? `typed ${outcome.error.name}` : outcome.kind === 'ok' ? 'text' : outcome.kind;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    slowest.push({ what: variant.name, ms });
    const detail = outcome.kind === 'typed' ? outcome.error.message : outcome.kind === 'untyped' ? String((outcome.error as Error)?.stack ?? outcome.error).split('\n').slice(0, 3).join(' / ') : outcome.kind === 'ok' ? `${outcome.doc.blocks.length} blocks` : 'no result';
    const line = `${variant.name}\t${key}\t${ms.toFixed(0)} ms\t${peakRssMb} MB\t${detail.replace(/\s+/g, ' ').slice(0, 200)}`;
    console.log(line);
    if (outcome.kind === 'untyped' || outcome.kind === 'hang' || ms > CORRUPT_BUDGET_MS) bad.push(line);
  }
  console.log(`\n${variants.length + specials().length} variants:`, [...counts].map(([k, n]) => `${k} ${n}`).join(', '));
  console.log(`failures (untyped, hang, over ${CORRUPT_BUDGET_MS / 1000} s): ${bad.length}`);
  for (const line of bad) console.log('  ', line);
  console.log(`unhandled rejections: ${unhandled.length}`);
  for (const u of unhandled.slice(0, 5)) console.log('  ', u.split('\n').slice(0, 3).join(' / '));
  console.log('slowest:', slowest.sort((a, b) => b.ms - a.ms).slice(0, 5).map((s) => `${s.what} ${(s.ms / 1000).toFixed(1)} s`).join(', '));
}

(flag('--corrupt') ? sweepCorrupt() : sweepReal())
  .finally(() => disposeIngestion())
  .then(() => process.exit(0));
