/**
 * LoRA training step time on a Mixtral-shaped random model: our ONNX Runtime training graph (dense and
 * sparse experts) against TensorFlow.js autodiff on the same weights, LoRA values and batch, in the same
 * run; each engine runs in its own child process so its peak RSS is its own.
 *
 *   npm run build && node dist/bench/finetune/training-step.bench.js [--layers 2] [--hidden 256]
 *        [--intermediate 512] [--experts 8] [--top-k 2] [--heads 8] [--kv-heads 2] [--vocab 4096]
 *        [--batch 4] [--seq 64] [--rank 8] [--steps 3] [--optimization all|basic] [--tfjs-steps 1] [--engines ort-dense,ort-sparse,tfjs]
 *
 * Prints a table and, last, one JSON line with every figure.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint } from '../../src/moe/checkpoint/checkpoint.loader';
import { createRandomCheckpoint } from '../../src/moe/random/random-checkpoint';
import { LoraStepRunner, type TrainingBatch } from '../../src/finetune/training/engine/lora-step.runner';
import type { GradientEngine } from '../../src/finetune/training/engine/lora.trainer';
import { IGNORE_INDEX } from '../../src/finetune/training/graph/training-losses';
import { initLoraParameters, LORA_TARGETS, loraParameters, seededRandom } from '../../src/finetune/training/lora/lora.options';
import { TfjsLoraReference } from '../../src/finetune/training/reference/lora-reference.tfjs';
import { numberFlag, textFlag } from '../bench-args';

type Engine = 'ort-dense' | 'ort-sparse' | 'tfjs';


const shape = {
  layers: numberFlag('layers', 2),
  hidden: numberFlag('hidden', 256),
  intermediate: numberFlag('intermediate', 512),
  experts: numberFlag('experts', 8),
  topK: numberFlag('top-k', 2),
  heads: numberFlag('heads', 8),
  kvHeads: numberFlag('kv-heads', 2),
  vocab: numberFlag('vocab', 4096),
};
const [batch, seqLen, rank] = [numberFlag('batch', 4), numberFlag('seq', 64), numberFlag('rank', 8)];

interface EngineResult {
  engine: Engine;
  buildMs: number;
  stepMs: number[];
  loss: number;
  peakRssMb: number;
  gradChecksum: number;
}

async function measure(dir: string, engine: Engine): Promise<EngineResult> {
  const ckpt = openCheckpoint(dir);
  const lora = { rank, alpha: 2 * rank, targets: LORA_TARGETS };
  const params = loraParameters(ckpt.config, lora);
  const values = initLoraParameters(params, 1);
  const rand = seededRandom(3);
  for (const p of params) if (p.half === 'B') values.get(p.name)!.forEach((_, i, a) => (a[i] = (rand() - 0.5) * 0.02));
  const ids = Array.from({ length: batch * seqLen }, () => Math.floor(rand() * shape.vocab));
  const data: TrainingBatch = { inputIds: ids, labels: ids.map((_, i) => (i % seqLen < seqLen / 4 ? IGNORE_INDEX : ids[(i + 1) % ids.length])) };

  const t0 = performance.now();
  let run: GradientEngine;
  let close: () => Promise<void> | void;
  if (engine === 'tfjs') {
    const ref = new TfjsLoraReference(ckpt.config, ckpt.weights, lora, params, batch, seqLen);
    run = ref;
    close = () => ref.dispose();
  } else {
    const runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora, batch, seqLen, experts: engine === 'ort-dense' ? 'dense' : 'sparse' }, {
      optimization: textFlag('optimization', 'all') as 'all',
    });
    run = runner;
    close = () => runner.dispose();
  }
  const buildMs = performance.now() - t0;
  const steps = engine === 'tfjs' ? numberFlag('tfjs-steps', 1) : numberFlag('steps', 3);
  const stepMs: number[] = [];
  let loss = 0;
  let gradChecksum = 0;
  // One untimed step first: session warm-up and tfjs kernel set-up are not step time.
  for (let s = 0; s <= steps; s++) {
    const t = performance.now();
    const out = await run.step(data, values);
    if (s > 0) stepMs.push(performance.now() - t);
    loss = out.loss;
    gradChecksum = 0;
    for (const g of out.grads.values()) for (let i = 0; i < g.length; i++) gradChecksum += Math.abs(g[i]);
  }
  await close();
  ckpt.weights.close();
  return { engine, buildMs, stepMs, loss, peakRssMb: process.resourceUsage().maxRSS / 1024, gradChecksum };
}

async function main(): Promise<void> {
  const child = textFlag('child', '');
  const dir = textFlag('dir', '');
  if (child) {
    console.log(JSON.stringify(await measure(dir, child as Engine)));
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-ft-bench-'));
  try {
    const ckpt = createRandomCheckpoint(work, { arch: 'mixtral', ...shape, seed: 0 });
    const c = ckpt.config;
    const perLayer = 2 * c.hiddenSize * c.numHeads * c.headDim + 2 * c.hiddenSize * c.numKvHeads * c.headDim + c.hiddenSize * c.moe.numExperts + 3 * c.moe.numExperts * c.hiddenSize * c.moe.intermediateSize;
    const total = c.numLayers * perLayer + 2 * c.vocabSize * c.hiddenSize;
    console.log(`model: ${(total / 1e6).toFixed(1)} M parameters (${JSON.stringify(shape)}); batch ${batch} × ${seqLen} tokens, LoRA rank ${rank} on q,k,v,o,gate,up,down`);
    const engines = textFlag('engines', 'ort-dense,ort-sparse,tfjs').split(',') as Engine[];
    const results: EngineResult[] = [];
    for (const engine of engines) {
      const out = execFileSync(process.execPath, [__filename, ...process.argv.slice(2), '--child', engine, '--dir', work], { encoding: 'utf8', maxBuffer: 1 << 24 });
      results.push(JSON.parse(out.trim().split('\n').pop()!) as EngineResult);
    }
    const tokens = batch * seqLen;
    // The fastest step is the figure least disturbed by other work on shared cores; the median is shown beside it.
    console.log('engine       build ms   step ms (min)   step ms (median)   tokens/s (at min)   peak RSS MB   loss');
    for (const r of results) {
      const sorted = [...r.stepMs].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(
        `${r.engine.padEnd(12)} ${r.buildMs.toFixed(0).padStart(8)}   ${sorted[0].toFixed(1).padStart(13)}   ${median.toFixed(1).padStart(16)}   ` +
          `${((tokens / sorted[0]) * 1000).toFixed(0).padStart(17)}   ${r.peakRssMb.toFixed(0).padStart(11)}   ${r.loss.toFixed(6)}`,
      );
    }
    console.log(JSON.stringify({ parameters: total, shape, batch, seqLen, rank, results }));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
