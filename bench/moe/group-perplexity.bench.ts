/**
 * Perplexity per quantization group size: imports a small trained MoE checkpoint (the one
 * bench/finetune/pretrain-quantization.bench.ts pretrains) at each width and group with src/moe's
 * importModel, and scores the held-out passages it never trained on with the code of `zhiku model ppl`.
 * Pairs with `decode.bench.ts --group N` (speed) to choose the default group per width
 * (docs/moe-quantization.md, "Group size").
 *
 *   npx esbuild bench/moe/group-perplexity.bench.ts --bundle --platform=node --packages=external \
 *     --outfile=dist/bench/group-perplexity.js && node dist/bench/group-perplexity.js --checkpoint DIR
 *     [--bits 8,4,3,2] [--groups 32,64,128,default] [--text ../shared/data/qa] [--work /tmp/zhiku-moe-group]
 *     [--eval-chars 40000] [--window 128]
 *
 * The held-out split is the pretraining bench's (every tenth document of --text), so its figures line
 * up with that bench's. Prints a table and, last, one JSON line with every figure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { perplexity } from '../../src/cli/commands/model-inspect.actions';
import { holdOut, readCorpus } from '../../src/finetune/training/pretrain/corpus';
import { importModel, type ImportBits } from '../../src/moe/import/import-model';
import { openModel } from '../../src/moe/runtime/open-model';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface Row {
  bits: ImportBits;
  /** null: float32; 'default': the plan's DEFAULT_GROUP per width, fitted to each K. */
  group: number | 'default' | null;
  averageBits: number;
  perplexity: number;
  tokens: number;
  onnxMb: number;
}

async function score(checkpoint: string, dir: string, bits: ImportBits, group: Row['group'], evalFile: string, window: number): Promise<Row> {
  const manifest = await importModel(checkpoint, dir, { bits, group: typeof group === 'number' ? group : undefined, overwrite: true });
  const model = await openModel(dir, { intraOpThreads: 2 });
  try {
    const r = await perplexity(model, evalFile, window);
    const onnxMb = fs.readdirSync(dir).filter((f) => f.startsWith('model.onnx')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0) / 2 ** 20;
    return { bits, group, averageBits: manifest.weights.averageBits, perplexity: r.perplexity, tokens: r.tokens, onnxMb };
  } finally {
    await model.lm.dispose();
  }
}

async function main(): Promise<void> {
  const checkpoint = path.resolve(arg('checkpoint', '/tmp/zhiku-pretrain-demo/checkpoint'));
  if (!fs.existsSync(path.join(checkpoint, 'config.json'))) {
    throw new Error(`${checkpoint} holds no checkpoint: run bench/finetune/pretrain-quantization.bench.ts first, or pass --checkpoint`);
  }
  const textDir = path.resolve(arg('text', path.resolve(__dirname, '../../..', 'shared/data/qa')));
  const work = path.resolve(arg('work', '/tmp/zhiku-moe-group'));
  const bitsList = arg('bits', '8,4,3,2').split(',').map(Number) as ImportBits[];
  const groups = arg('groups', '32,64,128,default').split(',').map((g) => (g === 'default' ? 'default' : Number(g)));
  const window = Number(arg('window', '128'));
  fs.mkdirSync(work, { recursive: true });
  const evalFile = path.join(work, 'held-out.txt');
  fs.writeFileSync(evalFile, holdOut(readCorpus(textDir), 0.1).heldOut.join('\n\n').slice(0, Number(arg('eval-chars', '40000'))));

  const rows: Row[] = [await score(checkpoint, path.join(work, 'f32'), 32, null, evalFile, window)];
  log(`float32: perplexity ${rows[0].perplexity.toFixed(3)} over ${rows[0].tokens} tokens`);
  for (const bits of bitsList) for (const group of groups) {
    const row = await score(checkpoint, path.join(work, `int${bits}-g${group}`), bits, group, evalFile, window);
    rows.push(row);
    log(`${bits}-bit group ${group}: perplexity ${row.perplexity.toFixed(3)}, ${row.averageBits.toFixed(2)} bits, ${row.onnxMb.toFixed(1)} MB`);
  }
  const base = rows[0].perplexity;
  const lines = [`perplexity over ${rows[0].tokens} held-out tokens, windows of ${window}`, '| bits | group | mean code bits | perplexity | vs float32 | model MB |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const delta = r.group === null ? '—' : `${(100 * (r.perplexity / base - 1)).toFixed(2)} %`;
    lines.push(`| ${r.bits} | ${r.group ?? '—'} | ${r.averageBits.toFixed(2)} | ${r.perplexity.toFixed(2)} | ${delta} | ${r.onnxMb.toFixed(1)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify({ checkpoint, window, rows })}\n`);
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
