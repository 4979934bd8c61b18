/**
 * Issue 7's demonstration, Q&A half: a small MoE pretrained on the passages of ../shared/data/qa (or the
 * one pretrain-quantization.bench.ts wrote, with --checkpoint) is fine-tuned with LoRA on Q&A pairs built
 * from three quarters of the questions of cmrc2018 and rgb_zh (Chinese) and rgb_en (English), then
 * scored on the held-out quarter before and after: answer-token loss, and greedy answers with exact
 * match, character F1 and contains (the pipeline's evaluation code), per set.
 *
 *   npx esbuild bench/finetune/qa-finetune.bench.ts --bundle --platform=node --packages=external \
 *     --outfile=dist/bench/qa-finetune.js && node dist/bench/qa-finetune.js [--checkpoint DIR]
 *     [--pretrain-steps 400] [--steps 150] [--rank 16] [--lr 2e-3] [--batch 8] [--seq 128] [--max-new 24]
 *     [--qa ../shared/data/qa] [--work /tmp/zhiku-qa-demo]
 *
 * The training loop is the job's (runLoraLoop: AdamW, cosine schedule, validation every 25 steps, the
 * best values kept), so the figures are those `zhiku finetune run` would give. Prints a table and one
 * JSON line with every figure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StoredRecord } from '../../src/finetune/datasets';
import { evaluateRun, type AnswerScores } from '../../src/finetune/evaluation/run-evaluator';
import { adapterFromTraining, baseTensorsOf, mergeAdapter } from '../../src/finetune/export';
import { packedBatches, trainingBatches } from '../../src/finetune/runs/batches';
import { runLoraLoop, validationLoss } from '../../src/finetune/runs/lora-run.loop';
import { resolveRunParams } from '../../src/finetune/runs/run-params';
import { buildSftExamples, initLoraParameters, LoraStepRunner, pretrain } from '../../src/finetune/training';
import { ChatTemplate, openCheckpoint, Tokenizer } from '../../src/moe';
import { numberFlag, textFlag } from '../bench-args';


const SETS = ['cmrc2018', 'rgb_zh', 'rgb_en'] as const;
type SetName = (typeof SETS)[number];

/** An answer item, or alternatives of one, nested as the RGB sets nest them (rgb_en: [[alternatives]]). */
type Answer = string | Answer[];
const firstAlternative = (a: Answer): string => (Array.isArray(a) ? firstAlternative(a[0]) : a);

/** Q&A records of one set: the question, its first gold answer (rgb_zh lists every item, the first alternative of each). */
function qaRecords(qaDir: string, set: SetName): StoredRecord[] {
  const lines = fs.readFileSync(path.join(qaDir, set, 'questions.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  return lines.map((line, i) => {
    const q = JSON.parse(line) as { id: string; question: string; answers: Answer[] };
    const items = q.answers.map(firstAlternative);
    const output = set === 'rgb_zh' ? items.join('、') : items[0];
    // Every 4th question is held out, so each set and both languages are on both sides.
    return { id: `${set}:${q.id}`, instruction: q.question, output, tags: [set], split: i % 4 === 3 ? 'validation' : 'train' };
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const qaDir = path.resolve(textFlag('qa', path.resolve(__dirname, '../../..', 'shared/data/qa')));
  const work = path.resolve(textFlag('work', '/tmp/zhiku-qa-demo'));
  const given = textFlag('checkpoint', '');
  fs.mkdirSync(work, { recursive: true });
  let base = given ? path.resolve(given) : path.join(work, 'pretrained');
  let pretrained = null;
  if (!given) {
    fs.rmSync(base, { recursive: true, force: true });
    const steps = numberFlag('pretrain-steps', 400);
    pretrained = await pretrain({
      arch: 'mixtral', textDir: qaDir, outDir: base, steps, layers: 2, hidden: 128, intermediate: 256, experts: 8, topK: 2, heads: 4, kvHeads: 2,
      vocab: 2048, seqLen: 128, batch: 8, lr: 3e-3, seed: 1,
      onStep: (r) => (r.step + 1) % 50 === 0 && console.error(`pretrain step ${r.step + 1}: loss ${r.loss.toFixed(3)}`),
    });
    console.log(JSON.stringify({ pretrained }));
    base = pretrained.outDir;
  }

  const records = SETS.flatMap((s) => qaRecords(qaDir, s));
  const train = records.filter((r) => r.split === 'train');
  const heldOut = records.filter((r) => r.split === 'validation');
  const params = resolveRunParams({
    rank: numberFlag('rank', 16), steps: numberFlag('steps', 150), batchSize: numberFlag('batch', 8), seqLen: numberFlag('seq', 128), learningRate: numberFlag('lr', 2e-3),
    warmupSteps: 10, evalEvery: 25, checkpointEvery: 1_000_000, seed: 1,
  });
  const checkpoint = openCheckpoint(base);
  const tokenizer = Tokenizer.fromFile(checkpoint.tokenizerPath!);
  const template = ChatTemplate.fromDir(base)!;
  const encode = (rs: StoredRecord[]) => buildSftExamples(rs, tokenizer, template, { maxLength: params.seqLen }).examples;
  const padId = checkpoint.config.eosTokenIds[0] ?? 0;
  const runner = await LoraStepRunner.create(checkpoint.config, checkpoint.weights, { lora: { rank: params.rank, alpha: params.alpha, targets: params.targets }, batch: params.batchSize, seqLen: params.seqLen });
  const trainExamples = encode(train);
  const valBatches = packedBatches(encode(heldOut), params.batchSize, params.seqLen, padId);
  const fresh = initLoraParameters(runner.params, params.seed);
  const state = { step: 0, values: new Map(fresh), optimizer: { step: 0, m: new Map(), v: new Map() }, bestValLoss: null, bestStep: null, badEvals: 0, best: null };
  const t0 = Date.now();
  const losses: number[] = [];
  await runLoraLoop(runner, params, state, trainingBatches(trainExamples, params.batchSize, params.seqLen, padId, params.seed), valBatches, {
    signal: new AbortController().signal,
    onStep: async (s) => {
      losses.push(s.loss);
      if (s.valLoss !== null) console.error(`step ${s.step}: loss ${s.loss.toFixed(3)} held-out ${s.valLoss.toFixed(3)} (${Math.round(s.tokensPerSecond)} tokens/s)`);
    },
    onCheckpoint: async () => undefined,
  });
  const trainSeconds = (Date.now() - t0) / 1000;
  const final = state.best ?? state.values;
  const lossOf = async (set: SetName | null, values: ReadonlyMap<string, Float32Array>) =>
    validationLoss(runner, values, packedBatches(encode(heldOut.filter((r) => !set || r.tags[0] === set)), params.batchSize, params.seqLen, padId));
  const loss: Record<string, { before: number; after: number }> = {};
  for (const set of [...SETS, null]) loss[set ?? 'all'] = { before: await lossOf(set, fresh), after: await lossOf(set, final) };
  const merged = path.join(work, 'merged');
  mergeAdapter(base, merged, adapterFromTraining(baseTensorsOf(checkpoint), { rank: params.rank, alpha: params.alpha, values: final }, 'qa-demo'), { overwrite: true });
  checkpoint.close();
  await runner.dispose();

  const report = await evaluateRun({
    baseCheckpoint: base, mergedCheckpoint: merged, validation: heldOut, samples: heldOut.length, maxNewTokens: numberFlag('max-new', 24),
    valLossBefore: loss.all.before, valLossAfter: loss.all.after, workDir: work, signal: new AbortController().signal,
  });
  const setOf = new Map(heldOut.map((r) => [r.id, r.tags[0]]));
  const mean = (side: 'before' | 'after', set: string | null): AnswerScores => {
    const rows = report.answers.filter((a) => !set || setOf.get(a.recordId) === set).map((a) => a[side]);
    const avg = (k: keyof AnswerScores) => rows.reduce((s, r) => s + r[k], 0) / Math.max(1, rows.length);
    return { exactMatch: avg('exactMatch'), charF1: avg('charF1'), contains: avg('contains') };
  };
  const rows = [...SETS, null].map((set) => {
    const key = set ?? 'all';
    const n = heldOut.filter((r) => !set || r.tags[0] === set).length;
    return { set: key, heldOut: n, trained: train.filter((r) => !set || r.tags[0] === set).length, loss: loss[key], before: mean('before', set), after: mean('after', set) };
  });
  const f = (x: number, d = 3) => x.toFixed(d);
  console.log(`\nLoRA rank ${params.rank}, ${state.step} steps of ${params.batchSize} × ${params.seqLen} (best held-out at step ${state.bestStep}), ${trainSeconds.toFixed(0)} s training, ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  console.log('| set | train / held-out questions | loss before → after | exact match | character F1 | contains |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.set} | ${r.trained} / ${r.heldOut} | ${f(r.loss.before, 2)} → ${f(r.loss.after, 2)} | ${f(r.before.exactMatch)} → ${f(r.after.exactMatch)} | ${f(r.before.charF1)} → ${f(r.after.charF1)} | ${f(r.before.contains)} → ${f(r.after.contains)} |`);
  }
  const examples = report.answers.filter((_, i) => i % 12 === 0).map((a) => ({ question: a.question, gold: a.gold, before: a.before.answer, after: a.after.answer }));
  console.log(JSON.stringify({ pretrained, steps: state.step, bestStep: state.bestStep, trainLossFirst: losses[0], trainLossLast: losses[losses.length - 1], trainSeconds, seconds: (Date.now() - started) / 1000, rows, examples }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
