/**
 * Issue 7's demonstration, quantization half: pretrain a small MoE from scratch on the Chinese and
 * English passages of ../shared/data/qa with the training engine, then import it at 32, 8, 4, 3 and 2
 * bits with src/moe's importModel and measure perplexity (the code of `zhiku model ppl`) on held-out
 * passages the model never trained on.
 *
 *   npx esbuild bench/finetune/pretrain-quantization.bench.ts --bundle --platform=node --packages=external \
 *     --outfile=dist/bench/pretrain-quantization.js && node dist/bench/pretrain-quantization.js [--steps 600] [--hidden 192]
 *     [--layers 4] [--experts 8] [--top-k 2] [--intermediate 384] [--heads 6] [--kv-heads 2] [--vocab 2048]
 *     [--seq 128] [--batch 8] [--lr 3e-3] [--text ../shared/data/qa] [--work /tmp/zhiku-pretrain-demo] [--eval-chars 40000]
 *     [--window 128] [--checkpoint DIR]
 *
 * Perplexity windows default to the training sequence length: positions past it were never trained, so
 * longer windows measure extrapolation, not quantization. --checkpoint skips pretraining and quantizes a
 * checkpoint an earlier run wrote (its held-out split is recomputed the same way).
 *
 * Prints the training summary, a table, and last one JSON line with every figure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { perplexity } from '../../src/cli/commands/model-inspect.actions';
import { holdOut, readCorpus } from '../../src/finetune/training/pretrain/corpus';
import { pretrain } from '../../src/finetune/training/pretrain/pretrain';
import { importModel, type ImportBits } from '../../src/moe/import/import-model';
import { openModel } from '../../src/moe/runtime/open-model';
import { numberFlag, textFlag } from '../bench-args';


async function main(): Promise<void> {
  const textDir = path.resolve(textFlag('text', path.resolve(__dirname, '../../..', 'shared/data/qa')));
  const work = path.resolve(textFlag('work', '/tmp/zhiku-pretrain-demo'));
  const given = textFlag('checkpoint', '');
  const checkpoint = given ? path.resolve(given) : path.join(work, 'checkpoint');
  if (!given) fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const heldOutFraction = 0.1;
  const steps = numberFlag('steps', 600);
  const result = given ? null : await pretrain({
    arch: 'mixtral', textDir, outDir: checkpoint, steps, heldOutFraction,
    layers: numberFlag('layers', 4), hidden: numberFlag('hidden', 192), intermediate: numberFlag('intermediate', 384), experts: numberFlag('experts', 8),
    topK: numberFlag('top-k', 2), heads: numberFlag('heads', 6), kvHeads: numberFlag('kv-heads', 2), vocab: numberFlag('vocab', 2048),
    seqLen: numberFlag('seq', 128), batch: numberFlag('batch', 8), lr: numberFlag('lr', 3e-3), seed: 1,
    onStep: (r) => (r.step % 25 === 0 || r.step === steps - 1) && console.error(`step ${r.step + 1}: loss ${r.loss.toFixed(3)} aux ${r.auxLoss?.toFixed(3)} lr ${r.lr.toExponential(2)}`),
  });
  if (result) console.log(JSON.stringify(result));

  // The same held-out documents pretrain() scored, cut to a size perplexity runs through quickly.
  const evalFile = path.join(work, 'held-out.txt');
  const heldOut = holdOut(readCorpus(textDir), heldOutFraction).heldOut.join('\n\n').slice(0, numberFlag('eval-chars', 40000));
  fs.writeFileSync(evalFile, heldOut);
  const rows: Array<{ bits: ImportBits; averageBits: number; perplexity: number; tokens: number; onnxMb: number; seconds: number }> = [];
  const window = numberFlag('window', numberFlag('seq', 128));
  for (const bits of [32, 8, 4, 3, 2] as ImportBits[]) {
    const dir = path.join(work, `int${bits}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const started = Date.now();
    const manifest = await importModel(checkpoint, dir, { bits });
    const model = await openModel(dir, { intraOpThreads: 2 });
    try {
      const r = await perplexity(model, evalFile, window);
      const onnxMb = fs.readdirSync(dir).filter((f) => f.startsWith('model.onnx')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0) / 2 ** 20;
      rows.push({ bits, averageBits: manifest.weights.averageBits, perplexity: r.perplexity, tokens: r.tokens, onnxMb, seconds: (Date.now() - started) / 1000 });
    } finally {
      await model.lm.dispose();
    }
  }
  const base = rows[0].perplexity;
  console.log(`perplexity over ${rows[0].tokens} held-out tokens, windows of ${window}`);
  console.log('| bits | mean code bits | perplexity | vs float32 | model.onnx(+data) MB |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.bits} | ${r.averageBits.toFixed(2)} | ${r.perplexity.toFixed(2)} | ${r.bits === 32 ? '—' : `${(100 * (r.perplexity / base - 1)).toFixed(1)} %`} | ${r.onnxMb.toFixed(1)} |`);
  console.log(JSON.stringify({ training: result, quantization: rows }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
