/**
 * Quantizer figures: weight error per mode (RTN vs scale search) on gaussian and heavy-tailed
 * weights, quantization throughput per mode, and the plans for the benchmark's Mixtral-shaped model.
 * `--kernels` times MatMulNBits per width on one expert-sized matrix; `--full` quantizes all 640 M
 * weights of that model with the int4 and int3-mix plans and times it. See main() for the flags.
 * Run: node -r <a TypeScript require hook> bench/moe/quantize.bench.ts [--full]
 */
import * as ort from 'onnxruntime-node';
import { matMulNBitsChainModel, matMulNBitsModel } from '../../src/moe/quantize/matmul-nbits-model.fixture';
import { qmoeModel } from '../../src/moe/quantize/qmoe-model.fixture';
import { toQMoE } from '../../src/moe/quantize/qmoe.layout';
import { toMatMulNBits } from '../../src/moe/quantize/matmul-nbits.layout';
import { quantizeMatrix } from '../../src/moe/quantize/matrix.quantizer';
import { configureQuantizerThreads, releaseQuantizerThreads } from '../../src/moe/quantize/quantizer-pool';
import { type QuantizationMode, planQuantization } from '../../src/moe/quantize/quantization-plan';
import { qualityTable, weightError } from '../../src/moe/quantize/quality-report';
import type { QuantBits, QuantSpec } from '../../src/moe/quantize/quantize.types';
import { gaussianMatrix, heavyTailedMatrix, seededRandom } from '../../src/moe/quantize/quantize.test-utils';
import { MIXTRAL_640M } from '../../src/moe/testing/bench-shapes';


const BITS: QuantBits[] = [8, 4, 3, 2];

function quality(): void {
  const n = 1024;
  const k = 1024;
  const dists = {
    gaussian: gaussianMatrix(n, k, seededRandom(1), 0.02),
    'heavy-tailed (t4 + 1% outlier channels)': heavyTailedMatrix(n, k, seededRandom(2), 0.02),
  };
  for (const [name, w] of Object.entries(dists)) {
    console.log(`\n## weight error, ${name}, [${n}, ${k}]`);
    console.log('bits group sym  | rtn rel.frob  search rel.frob  gain  | rtn max|e|  search max|e| | bpw');
    for (const bits of BITS)
      for (const group of [32, 64, 128])
        for (const symmetric of [true, false]) {
          const specs: QuantSpec[] = [
            { bits, blockSize: group, symmetric, method: 'rtn' },
            { bits, blockSize: group, symmetric, method: 'search' },
          ];
          const [rtn, search] = qualityTable(w, n, k, specs);
          const gain = (1 - search.relFrobenius / rtn.relFrobenius) * 100;
          console.log(
            `${String(bits).padStart(4)} ${String(group).padStart(5)} ${symmetric ? 'sym ' : 'asym'} | ` +
              `${rtn.relFrobenius.toFixed(5).padStart(12)}  ${search.relFrobenius.toFixed(5).padStart(15)}  ${gain.toFixed(1).padStart(4)}% | ` +
              `${rtn.maxAbs.toExponential(2)}  ${search.maxAbs.toExponential(2).padStart(13)} | ${rtn.bitsPerWeight.toFixed(2)}`,
          );
        }
  }
}

function throughput(): void {
  const n = 2816;
  const k = 1024;
  const w = gaussianMatrix(n, k, seededRandom(3), 0.02);
  console.log(`\n## throughput, [${n}, ${k}] (M weights/s)`);
  for (const method of ['rtn', 'search'] as const)
    for (const bits of BITS)
      for (const symmetric of [true, false]) {
        const spec: QuantSpec = { bits, blockSize: 32, symmetric, method };
        quantizeMatrix(w, n, k, spec); // warm-up
        const reps = method === 'rtn' ? 5 : 2;
        const t0 = process.hrtime.bigint();
        for (let r = 0; r < reps; r++) quantizeMatrix(w, n, k, spec);
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        console.log(`${method.padEnd(6)} int${bits} g32 ${symmetric ? 'sym ' : 'asym'}: ${((n * k * reps) / s / 1e6).toFixed(1)}`);
      }
}

const MODES: Array<[string, QuantizationMode]> = [
  ['int8', { bits: 8, group: 32, symmetric: true }],
  ['int4', { bits: 4, group: 32, symmetric: true }],
  ['int3 mix', { bits: 3, group: 32, symmetric: false }],
  ['int3 packed', { bits: 3, group: 32, symmetric: false, int3: 'packed' }],
  ['int2', { bits: 2, group: 32, symmetric: false }],
];

function plans(): void {
  console.log('\n## plans for the 640M Mixtral-shaped benchmark model (group 32)');
  console.log('mode         params   avg bits  disk bpw  loaded bpw  disk MB  loaded MB  decode MB/token');
  for (const [name, mode] of MODES) {
    const p = planQuantization(MIXTRAL_640M, mode);
    console.log(
      `${name.padEnd(12)} ${(p.totalParams / 1e6).toFixed(1)}M  ${p.averageBits.toFixed(3).padStart(8)}  ${p.diskBitsPerWeight.toFixed(3).padStart(8)}  ` +
        `${p.loadedBitsPerWeight.toFixed(3).padStart(10)}  ${(p.diskBytes / 1e6).toFixed(0).padStart(7)}  ${(p.loadedBytes / 1e6).toFixed(0).padStart(9)}  ` +
        `${(p.decodeBytesPerToken / 1e6).toFixed(1).padStart(15)}`,
    );
  }
  const mix = planQuantization(MIXTRAL_640M, MODES[2][1]);
  const units = new Map<string, number>();
  for (const t of mix.tensors)
    if (t.ref.kind === 'expert') units.set(`layer ${t.ref.layer} ${t.cls}`, t.bits);
  console.log('int3 mix experts:', [...units].map(([u, b]) => `${u}=${b}`).join(', '));
}

function fullModel(): void {
  for (const [name, mode] of [MODES[1], MODES[2]]) {
    const plan = planQuantization(MIXTRAL_640M, mode);
    const buffers = new Map<string, Float32Array>();
    let seconds = 0;
    let weights = 0;
    for (const t of plan.tensors) {
      if (!t.spec) continue;
      const shapeKey = t.shape.join('x');
      let w = buffers.get(shapeKey);
      if (!w) buffers.set(shapeKey, (w = gaussianMatrix(t.shape[0], t.shape[1], seededRandom(t.numel), 0.02)));
      const t0 = process.hrtime.bigint();
      quantizeMatrix(w, t.shape[0], t.shape[1], t.spec);
      seconds += Number(process.hrtime.bigint() - t0) / 1e9;
      weights += t.numel;
    }
    console.log(`\n## full model, ${name}: ${(weights / 1e6).toFixed(0)}M weights quantized in ${seconds.toFixed(1)} s`);
  }
}

/**
 * Weight error of each plan's routed experts, from the error each width gives on a sample
 * expert-shaped matrix: sqrt(Σ numel·relMSE(bits) / Σ numel).
 */
function planErrors(): void {
  const n = 2816;
  const k = 1024;
  console.log('\n## routed-expert weight error per plan (relative Frobenius; each tensor as planned)');
  for (const [dist, w] of [
    ['gaussian', gaussianMatrix(n, k, seededRandom(4), 0.02)],
    ['heavy-tailed', heavyTailedMatrix(n, k, seededRandom(5), 0.02)],
  ] as const) {
    const cache = new Map<string, number>();
    const relMse = (spec: QuantSpec): number => {
      const key = `${spec.bits}/${spec.blockSize}/${spec.symmetric}/${spec.method}`;
      let v = cache.get(key);
      if (v === undefined) cache.set(key, (v = weightError(w, quantizeMatrix(w, n, k, spec)).relFrobenius ** 2));
      return v;
    };
    const row = MODES.map(([name, mode]) => {
      const plan = planQuantization(MIXTRAL_640M, mode);
      let num = 0;
      let den = 0;
      for (const t of plan.tensors)
        if (t.ref.kind === 'expert') {
          num += t.numel * (t.spec ? relMse(t.spec) : 0);
          den += t.numel;
        }
      return `${name} ${Math.sqrt(num / den).toFixed(4)}`;
    });
    console.log(`${dist}: ${row.join(', ')}`);
  }
}

/**
 * Decode-shaped (M=1) and prefill-shaped (M=64) MatMulNBits timings on one [2816, 1024] expert
 * matrix. The machine is shared, so configurations are interleaved over rounds and the fastest
 * round is kept (the least disturbed estimate).
 */
async function kernels(): Promise<void> {
  const n = 2816;
  const k = 1024;
  const w = gaussianMatrix(n, k, seededRandom(6), 0.02);
  interface Case { label: string; m: number; session: ort.InferenceSession; x: ort.Tensor; bytes: number; best: number }
  const cases: Case[] = [];
  for (const bits of [8, 4, 2] as const)
    for (const level of [4, 0])
      for (const m of [1, 64]) {
        const q = quantizeMatrix(w, n, k, { bits, blockSize: 32, symmetric: true, method: 'rtn' });
        const session = await ort.InferenceSession.create(matMulNBitsModel(m, toMatMulNBits(q, level)), { intraOpNumThreads: 1 });
        const x = new ort.Tensor('float32', gaussianMatrix(m, k, seededRandom(m), 1), [m, k]);
        await session.run({ A: x });
        cases.push({ label: `int${bits} accuracy_level ${level}`, m, session, x, bytes: q.data.length + q.scales.length * 4, best: Infinity });
      }
  for (let round = 0; round < 5; round++)
    for (const c of cases) {
      const slow = c.label.endsWith('level 0') && !c.label.startsWith('int4');
      const reps = slow ? 2 : c.m === 1 ? 100 : 5;
      const t0 = process.hrtime.bigint();
      for (let r = 0; r < reps; r++) await c.session.run({ A: c.x });
      c.best = Math.min(c.best, Number(process.hrtime.bigint() - t0) / 1e3 / reps);
    }
  console.log(`\n## MatMulNBits on [${n}, ${k}], 1 intra-op thread, best of 5 rounds (µs per call)`);
  for (let i = 0; i < cases.length; i += 2) {
    const [d, p] = [cases[i], cases[i + 1]];
    console.log(
      `${d.label}: M=1 ${d.best.toFixed(0)} µs (${(d.bytes / d.best / 1e3).toFixed(1)} GB/s of weights), ` +
        `M=64 ${p.best.toFixed(0)} µs (${((64 * n * k * 2) / p.best / 1e3).toFixed(1)} GFLOP/s)`,
    );
  }
  for (const c of cases) await c.session.release();
}

/**
 * Streaming regime: a chain of 24 distinct [2048, 2048] MatMulNBits nodes (100 M weights) run at
 * M=1, as decode reads weights. The machine is shared: configurations are interleaved over 12
 * rounds and the fastest round is kept.
 */
async function streaming(): Promise<void> {
  const k = 2048;
  const layers = 24;
  const w = gaussianMatrix(k, k, seededRandom(7), 1 / Math.sqrt(k));
  console.log(`\n## MatMulNBits chain, ${layers} x [${k}, ${k}] distinct weights, M=1, 1 intra-op thread, accuracy_level 4`);
  const cases: Array<{ label: string; session: ort.InferenceSession; bytes: number; best: number }> = [];
  const configs: Array<[QuantBits, number, boolean]> = [
    [8, 32, true],
    [4, 32, true],
    [4, 32, false],
    [2, 32, true],
    [2, 32, false],
    [4, 128, true],
    [2, 128, true],
  ];
  for (const [bits, blockSize, symmetric] of configs) {
    const q = quantizeMatrix(w, k, k, { bits, blockSize, symmetric, method: 'rtn' });
    const t = toMatMulNBits(q, 4);
    // Distinct buffers per node, so no two nodes share cached weights.
    const chain = Array.from({ length: layers }, () => ({ ...t, B: { ...t.B, data: t.B.data.slice() } }));
    const session = await ort.InferenceSession.create(matMulNBitsChainModel(1, chain), { intraOpNumThreads: 1 });
    const bytes = layers * (q.data.length + q.scales.length * 4 + (q.zeroPoints?.length ?? 0));
    cases.push({ label: `int${bits} g${blockSize} ${symmetric ? 'sym ' : 'asym'}`, session, bytes, best: Infinity });
  }
  const x = new ort.Tensor('float32', gaussianMatrix(1, k, seededRandom(8), 1), [1, k]);
  for (const c of cases) await c.session.run({ A: x });
  for (let round = 0; round < 12; round++)
    for (const c of cases) {
      const t0 = process.hrtime.bigint();
      for (let r = 0; r < 5; r++) await c.session.run({ A: x });
      c.best = Math.min(c.best, Number(process.hrtime.bigint() - t0) / 1e6 / 5);
    }
  for (const c of cases) {
    console.log(`${c.label}: ${c.best.toFixed(2)} ms per pass, ${(c.bytes / 1e6).toFixed(0)} MB, ${(c.bytes / c.best / 1e6).toFixed(1)} GB/s`);
    await c.session.release();
  }
}

/**
 * One QMoE node of the benchmark model's layer shape (8 experts, hidden 1024, intermediate 2816,
 * top-2) at one token, per width; memory growth shows whether the kernel keeps float copies.
 */
async function qmoe(): Promise<void> {
  const E = 8;
  const H = 1024;
  const I = 2816;
  console.log(`\n## QMoE, ${E} experts [${I}, ${H}], top-2, T=1, 1 intra-op thread, best of 8 rounds`);
  const rand = seededRandom(9);
  const gate = gaussianMatrix(I, H, rand, 0.02);
  const down = gaussianMatrix(H, I, rand, 0.02);
  const x = new ort.Tensor('float32', gaussianMatrix(1, H, rand, 1), [1, H]);
  const router = new ort.Tensor('float32', gaussianMatrix(1, E, rand, 1), [1, E]);
  for (const bits of [8, 4, 2] as const) {
    const spec = { bits, blockSize: 32, symmetric: true, method: 'rtn' as const };
    const g = quantizeMatrix(gate, I, H, spec);
    const d = quantizeMatrix(down, H, I, spec);
    const rss = process.memoryUsage().rss;
    const session = await ort.InferenceSession.create(
      qmoeModel(toQMoE(Array.from({ length: E }, () => ({ gate: g, up: g, down: d }))), 1, 2),
      { intraOpNumThreads: 1 },
    );
    await session.run({ input: x, router_probs: router });
    let best = Infinity;
    for (let round = 0; round < 8; round++) {
      const t0 = process.hrtime.bigint();
      for (let r = 0; r < 5; r++) await session.run({ input: x, router_probs: router });
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6 / 5);
    }
    console.log(`int${bits} g32: ${best.toFixed(2)} ms per token, RSS +${((process.memoryUsage().rss - rss) / 1e6).toFixed(0)} MB`);
    await session.release();
  }
}

/** Sections to run: any of --quality --throughput --plans --kernels --full (none = the first three); --threads N. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threadsAt = args.indexOf('--threads');
  const threads = threadsAt >= 0 ? Number(args[threadsAt + 1]) : 1;
  configureQuantizerThreads(threads);
  console.log(`quantizer threads: ${threads}`);
  const all = !args.some((a) => ['--quality', '--throughput', '--plans', '--kernels', '--full'].includes(a));
  if (all || args.includes('--quality')) quality();
  if (all || args.includes('--throughput')) throughput();
  if (all || args.includes('--plans')) {
    plans();
    planErrors();
  }
  if (args.includes('--kernels')) {
    await kernels();
    await streaming();
    await qmoe();
  }
  if (args.includes('--full')) fullModel();
  await releaseQuantizerThreads();
}

void main();
