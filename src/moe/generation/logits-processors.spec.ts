import { GenerationError } from '../moe.errors';
import { RepetitionPenaltyProcessor } from './repetition-penalty.processor';
import { GreedySampler, SeededSampler } from './sampler';
import { EosCriterion, MaxTokensCriterion, StopStringCriterion } from './stopping-criteria';
import { TemperatureProcessor } from './temperature.processor';
import { TopKProcessor } from './top-k.processor';
import { TopPProcessor } from './top-p.processor';

const logits = () => new Float32Array([2, -1, 0.5, 3, -4]);

describe('TemperatureProcessor', () => {
  it('divides logits by the temperature', () => {
    expect([...new TemperatureProcessor(2).process(logits())]).toEqual([1, -0.5, 0.25, 1.5, -2]);
  });
  it('refuses zero and negative temperatures', () => {
    expect(() => new TemperatureProcessor(0)).toThrow(GenerationError);
    expect(() => new TemperatureProcessor(-1)).toThrow(/positive/);
  });
});

describe('TopKProcessor', () => {
  it('keeps the k largest logits', () => {
    expect([...new TopKProcessor(2).process(logits())]).toEqual([2, -Infinity, -Infinity, 3, -Infinity]);
  });
  it('keeps everything when k covers the vocabulary', () => {
    expect([...new TopKProcessor(10).process(logits())]).toEqual([...logits()]);
  });
});

describe('TopPProcessor', () => {
  // Probabilities 0.5, 0.3, 0.15, 0.05.
  const probs = () => new Float32Array([0.5, 0.3, 0.15, 0.05].map(Math.log));
  it('keeps the smallest set whose probability reaches p', () => {
    expect([...new TopPProcessor(0.8).process(probs())].map((v) => v === -Infinity)).toEqual([false, false, true, true]);
    expect([...new TopPProcessor(0.81).process(probs())].map((v) => v === -Infinity)).toEqual([false, false, false, true]);
  });
  it('always keeps the most probable token', () => {
    expect([...new TopPProcessor(0.01).process(probs())].filter((v) => v !== -Infinity)).toHaveLength(1);
  });
});

describe('RepetitionPenaltyProcessor', () => {
  it('divides positive and multiplies negative logits of seen tokens, once each', () => {
    expect([...new RepetitionPenaltyProcessor(2).process(logits(), [0, 1, 1, 4])]).toEqual([1, -2, 0.5, 3, -8]);
  });
});

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

describe('stopping criteria', () => {
  it('stops on max tokens, on EOS and on stop strings', () => {
    expect(new MaxTokensCriterion(2).check({ generated: [1], text: '' })).toBeNull();
    expect(new MaxTokensCriterion(2).check({ generated: [1, 2], text: '' })).toBe('max_tokens');
    expect(new EosCriterion([7, 9]).check({ generated: [1, 9], text: '' })).toBe('eos');
    expect(new EosCriterion([7]).check({ generated: [7, 1], text: '' })).toBeNull();
    const stop = new StopStringCriterion(['\nUser:', '###']);
    expect(stop.check({ generated: [], text: 'Answer\nUser: hi' })).toBe('stop_string');
    expect(stop.firstMatch('a ### b\nUser:')).toBe(2);
    expect(stop.pendingSuffix('Answer\nUs')).toBe(3);
    expect(stop.pendingSuffix('Answer')).toBe(0);
  });
});
