import * as fs from 'node:fs';
import { planQuantization } from '../../quantize/quantization-plan';
import { ReferenceCausalLm } from '../../reference/reference.model';
import { buildAndLoad, maxAbsDiff, relativeDiff } from '../testing/build-and-load';
import { DequantizedWeights } from '../testing/dequantized-weights';
import { RandomModelWeights, tinyConfig } from '../testing/random-weights';
import { floatPlan, quantizedPlan, type WeightPlan } from './weight-plan';

const IDS = [3, 60, 17, 99, 42, 8, 120, 77];

describe('quantized and float16 graphs', () => {
  const config = tinyConfig('qwen2_moe', { hiddenSize: 64, vocabSize: 128 });
  const weights = new RandomModelWeights(config, 11);
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  // Bound of the graph against the reference on the same (dequantized) weights: MatMulNBits runs
  // with int8 activations (accuracy_level 4), float16 storage is exact after the load-time cast.
  const cases: Array<[string, WeightPlan, number]> = [
    ['float16', floatPlan(16), 1e-4],
    ['INT8', quantizedPlan(planQuantization(config, { bits: 8, group: 32, symmetric: true })), 3e-2],
    ['INT4', quantizedPlan(planQuantization(config, { bits: 4, group: 32, symmetric: true })), 3e-2],
    ['INT4 asymmetric', quantizedPlan(planQuantization(config, { bits: 4, group: 32, symmetric: false })), 3e-2],
    ['INT3 mix', quantizedPlan(planQuantization(config, { bits: 3, group: 32, symmetric: true })), 3e-2],
    ['INT3 packed', quantizedPlan(planQuantization(config, { bits: 3, group: 32, symmetric: true, int3: 'packed' })), 3e-2],
    ['INT2', quantizedPlan(planQuantization(config, { bits: 2, group: 32, symmetric: true })), 3e-2],
  ];

  it.each(cases)('%s graph equals the reference pass on its dequantized weights and decodes from its cache', async (_label, plan, bound) => {
    const expected = await new ReferenceCausalLm(config, new DequantizedWeights(weights, plan)).forward(IDS, { allLogits: true });
    for (const contribOps of [false, true]) {
      const { lm, dir, built } = await buildAndLoad(config, weights, { plan, contribOps });
      dirs.push(dir);
      if (!plan.float) expect(built.opCounts.get('MatMulNBits')).toBeGreaterThan(0);
      const all = await lm.forward(IDS, { allLogits: true });
      expect(relativeDiff(all, expected)).toBeLessThan(bound);
      lm.reset();
      await lm.forward(IDS.slice(0, 6));
      const step = await lm.forward([IDS[6]]);
      expect(maxAbsDiff(step, all.subarray(6 * 128, 7 * 128))).toBeLessThan(1e-4);
      await lm.dispose();
    }
  });
});
