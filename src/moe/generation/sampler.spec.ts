import { GreedySampler, SeededSampler } from './sampler';

const logits = () => new Float32Array([2, -1, 0.5, 3, -4]);

describe('samplers', () => {
  it('greedy picks the argmax, the lower id on ties', () => {
    expect(new GreedySampler().sample(logits())).toBe(3);
    expect(new GreedySampler().sample(new Float32Array([1, 5, 5]))).toBe(1);
  });

  it('seeded sampling is reproducible and follows the distribution', () => {
    const draw = (seed: number) => {
      const sampler = new SeededSampler(seed);
      return Array.from({ length: 4000 }, () => sampler.sample(new Float32Array([Math.log(0.7), Math.log(0.3), -Infinity])));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    const share = draw(3).filter((t) => t === 0).length / 4000;
    expect(share).toBeGreaterThan(0.67);
    expect(share).toBeLessThan(0.73);
    expect(draw(4)).not.toContain(2);
  });
});
