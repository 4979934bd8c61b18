/**
 * Quantizer figures: weight error per mode (RTN vs scale search) on gaussian and heavy-tailed
 * weights, quantization throughput per mode, and the plans for the benchmark's Mixtral-shaped model.
 * `--full` also quantizes all 640 M weights of that model with the 3-bit mix plan and times it.
 * Run: node -r <a TypeScript require hook> bench/moe/quantize.bench.ts [--full]
 */
import type { MoeConfig } from '../../src/moe/model/moe-config';
import { quantizeMatrix } from '../../src/moe/quantize/matrix.quantizer';
import { type QuantizationMode, planQuantization } from '../../src/moe/quantize/quantization-plan';
import { qualityTable } from '../../src/moe/quantize/quality-report';
import type { QuantBits, QuantSpec } from '../../src/moe/quantize/quantize.types';
import { gaussianMatrix, heavyTailedMatrix, seededRandom } from '../../src/moe/quantize/quantize.test-utils';

export const BENCH_MIXTRAL_640M: MoeConfig = {
  architecture: 'mixtral',
  vocabSize: 32000,
  hiddenSize: 1024,
  numLayers: 8,
  numHeads: 16,
  numKvHeads: 4,
  headDim: 64,
  rmsNormEps: 1e-5,
  ropeTheta: 1e6,
  ropeScaling: null,
  maxPositionEmbeddings: 4096,
  tieWordEmbeddings: false,
  attentionBias: false,
  qkNorm: null,
  moe: {
    numExperts: 8,
    topK: 2,
    intermediateSize: 2816,
    normTopKProb: true,
    scoring: 'topk-then-softmax',
    routedScalingFactor: 1,
    sharedExpert: null,
  },
  layerKinds: Array(8).fill('moe'),
  denseIntermediateSize: 0,
  bosTokenId: 1,
  eosTokenIds: [2],
};

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
  console.log(`\n## throughput, one thread, [${n}, ${k}] (M weights/s)`);
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
    const p = planQuantization(BENCH_MIXTRAL_640M, mode);
    console.log(
      `${name.padEnd(12)} ${(p.totalParams / 1e6).toFixed(1)}M  ${p.averageBits.toFixed(3).padStart(8)}  ${p.diskBitsPerWeight.toFixed(3).padStart(8)}  ` +
        `${p.loadedBitsPerWeight.toFixed(3).padStart(10)}  ${(p.diskBytes / 1e6).toFixed(0).padStart(7)}  ${(p.loadedBytes / 1e6).toFixed(0).padStart(9)}  ` +
        `${(p.decodeBytesPerToken / 1e6).toFixed(1).padStart(15)}`,
    );
  }
  const mix = planQuantization(BENCH_MIXTRAL_640M, MODES[2][1]);
  const units = new Map<string, number>();
  for (const t of mix.tensors)
    if (t.ref.kind === 'expert') units.set(`layer ${t.ref.layer} ${t.cls}`, t.bits);
  console.log('int3 mix experts:', [...units].map(([u, b]) => `${u}=${b}`).join(', '));
}

function fullModel(): void {
  for (const [name, mode] of [MODES[1], MODES[2]]) {
    const plan = planQuantization(BENCH_MIXTRAL_640M, mode);
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
    console.log(`\n## full model, ${name}: ${(weights / 1e6).toFixed(0)}M weights quantized in ${seconds.toFixed(1)} s (one thread)`);
  }
}

quality();
throughput();
plans();
if (process.argv.includes('--full')) fullModel();
