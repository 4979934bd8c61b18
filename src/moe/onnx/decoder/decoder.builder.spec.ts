import * as fs from 'node:fs';
import type { MoeArchitecture } from '../../model/moe-config';
import { UnsupportedArchitectureError } from '../../moe.errors';
import { ReferenceCausalLm } from '../../reference/reference.model';
import { createBuilder } from '../architectures/builder.registry';
import { buildAndLoad, maxAbsDiff, relativeDiff } from '../testing/build-and-load';
import { RandomModelWeights, tinyConfig } from '../testing/random-weights';

const ARCHITECTURES: MoeArchitecture[] = ['mixtral', 'qwen2_moe', 'qwen3_moe', 'olmoe', 'deepseek_v2'];
const IDS = [5, 17, 3, 42, 8, 61, 0, 29];

describe('decoder graph on random weights', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  describe.each(ARCHITECTURES)('%s', (arch) => {
    const config = tinyConfig(arch);

    it.each([
      ['standard ONNX', false, 'sparse'],
      ['contrib ops', true, 'sparse'],
      ['contrib ops + fused MoE', true, 'fused'],
    ] as const)('%s path matches the reference pass within 1e-4 and decodes from its KV cache', async (_label, contribOps, experts) => {
      const weights = new RandomModelWeights(config);
      const reference = new ReferenceCausalLm(config, weights);
      const expected = await reference.forward(IDS, { allLogits: true });
      const { lm, dir } = await buildAndLoad(config, weights, { contribOps, experts });
      dirs.push(dir);
      const all = await lm.forward(IDS, { allLogits: true });
      expect(relativeDiff(all, expected)).toBeLessThan(1e-4);

      lm.reset();
      const vocab = config.vocabSize;
      const prefill = await lm.forward(IDS.slice(0, 5));
      expect(maxAbsDiff(prefill, all.subarray(4 * vocab, 5 * vocab))).toBeLessThan(1e-5);
      for (let t = 5; t < IDS.length; t++) {
        const step = await lm.forward([IDS[t]]);
        expect(maxAbsDiff(step, all.subarray(t * vocab, (t + 1) * vocab))).toBeLessThan(1e-5);
      }
      expect(lm.cachedLength).toBe(IDS.length);
      await lm.dispose();
    });
  });

  it('gives the same logits on the standard and contrib paths', async () => {
    const config = tinyConfig('qwen2_moe');
    const weights = new RandomModelWeights(config, 7);
    const standard = await buildAndLoad(config, weights, { contribOps: false });
    const contrib = await buildAndLoad(config, weights, { contribOps: true, experts: 'fused' });
    dirs.push(standard.dir, contrib.dir);
    expect(standard.built.opCounts.get('GroupQueryAttention')).toBeUndefined();
    expect(contrib.built.opCounts.get('GroupQueryAttention')).toBe(config.numLayers);
    expect(contrib.built.opCounts.get('MoE')).toBe(config.numLayers);
    const a = await standard.lm.forward(IDS, { allLogits: true });
    const b = await contrib.lm.forward(IDS, { allLogits: true });
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-4);
    await standard.lm.dispose();
    await contrib.lm.dispose();
  });
});

describe('sparse routing', () => {
  it('runs an expert only on the rows its router picked: a poisoned, never-picked expert leaves logits finite', async () => {
    const config = tinyConfig('mixtral', {
      moe: { ...tinyConfig('mixtral').moe, numExperts: 8, topK: 1 },
    });
    const ids = [4, 9];
    const weights = new RandomModelWeights(config, 3);
    const reference = new ReferenceCausalLm(config, weights);
    await reference.forward(ids, { allLogits: true });
    const unused: string[] = [];
    for (let layer = 0; layer < config.numLayers; layer++) {
      for (let e = 0; e < config.moe.numExperts; e++) {
        if (reference.counter.tokensThrough(layer, e) === 0) unused.push(`${layer}.${e}`);
      }
    }
    expect(unused.length).toBeGreaterThanOrEqual(2 * (config.moe.numExperts - ids.length));
    unused.forEach((key) => weights.poisoned.add(key));

    for (const experts of ['sparse', 'fused'] as const) {
      const { lm, dir } = await buildAndLoad(config, weights, { contribOps: true, experts });
      const logits = await lm.forward(ids, { allLogits: true });
      expect(logits.every(Number.isFinite)).toBe(true);
      await lm.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // The same poison in a picked expert does reach the logits, so the check above can fail.
    weights.poisoned.add(`0.${reference.counter.routing[0].experts[0]}`);
    const { lm, dir } = await buildAndLoad(config, weights, { contribOps: false });
    expect((await lm.forward(ids, { allLogits: true })).some(Number.isNaN)).toBe(true);
    await lm.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('splits the routed rows into one block per expert and scatters the results back once per layer', () => {
    const config = tinyConfig('mixtral');
    const dir = fs.mkdtempSync('/tmp/zhiku-onnx-');
    const built = createBuilder(config, new RandomModelWeights(config), { contribOps: false }).build(dir);
    const layers = config.numLayers;
    const experts = config.moe.numExperts;
    // Per layer: the expert blocks, each expert's gate|up halves, RoPE's q and k halves.
    expect(built.opCounts.get('Split')).toBe(layers * (1 + experts + 2));
    expect(built.opCounts.get('ScatterND')).toBe(layers);
    expect(built.opCounts.get('TopK')).toBe(2 * layers); // router top-k and the sort of (token, expert) pairs
    // 2 MatMuls per expert (gate|up, down; on its block only) + router, q, k, v, o, QKᵀ, PV per layer + lm_head.
    expect(built.opCounts.get('MatMul')).toBe(layers * (2 * experts + 1 + 4 + 2) + 1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('builder errors', () => {
  it('refuses an architecture it has no builder for', () => {
    const config = { ...tinyConfig('mixtral'), architecture: 'gpt_oss' as MoeArchitecture };
    expect(() => createBuilder(config, new RandomModelWeights(config))).toThrow(UnsupportedArchitectureError);
  });

  it('refuses an unknown rope scaling type', () => {
    const config = tinyConfig('mixtral', { ropeScaling: { type: 'longrope', factor: 2 } });
    const dir = fs.mkdtempSync('/tmp/zhiku-onnx-');
    expect(() => createBuilder(config, new RandomModelWeights(config)).build(dir)).toThrow(UnsupportedArchitectureError);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
