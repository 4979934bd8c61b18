import { TrainingOptionsError } from '../training.errors';
import { AdamWOptimizer } from './adamw.optimizer';
import { clipByGlobalNorm, cosineLr } from './lr-schedule';

describe('AdamW', () => {
  it('matches the bias-corrected update written out by hand over two steps', () => {
    const p = new Map([['w', Float32Array.from([1, -2])]]);
    const opt = new AdamWOptimizer({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 });
    const g1 = Float32Array.from([0.5, -1]);
    const g2 = Float32Array.from([-0.25, 2]);
    opt.step(p, new Map([['w', g1]]), 0.01);
    opt.step(p, new Map([['w', g2]]), 0.005);
    const expected = [1, -2].map((p0, i) => {
      let x = p0;
      let m = 0;
      let v = 0;
      [[g1[i], 0.01], [g2[i], 0.005]].forEach(([g, lr], t) => {
        m = 0.9 * m + 0.1 * g;
        v = 0.99 * v + 0.01 * g * g;
        const mh = m / (1 - 0.9 ** (t + 1));
        const vh = v / (1 - 0.99 ** (t + 1));
        x = x - lr * 0.1 * x - (lr * mh) / (Math.sqrt(vh) + 1e-8);
      });
      return x;
    });
    expect(p.get('w')![0]).toBeCloseTo(expected[0], 6);
    expect(p.get('w')![1]).toBeCloseTo(expected[1], 6);
  });

  it('decays weights without a gradient (decoupled from the adaptive step)', () => {
    const p = new Map([['w', Float32Array.from([2])]]);
    new AdamWOptimizer({ weightDecay: 0.5 }).step(p, new Map([['w', Float32Array.from([0])]]), 0.1);
    expect(p.get('w')![0]).toBeCloseTo(2 * (1 - 0.05), 6);
  });

  it('refuses a negative learning rate and a missing gradient', () => {
    const p = new Map([['w', Float32Array.from([1])]]);
    expect(() => new AdamWOptimizer().step(p, new Map([['w', Float32Array.from([1])]]), -1)).toThrow(TrainingOptionsError);
    expect(() => new AdamWOptimizer().step(p, new Map(), 0.1)).toThrow(/no gradient of the right size for w/);
    expect(() => new AdamWOptimizer({ beta1: 1 })).toThrow(/beta1/);
  });
});

describe('cosine schedule with warmup', () => {
  const s = { peakLr: 1, warmupSteps: 3, totalSteps: 13 };
  it('warms up linearly, peaks, and decays by half a cosine to the floor', () => {
    expect([0, 1, 2].map((i) => cosineLr(s, i))).toEqual([0.25, 0.5, 0.75]);
    expect(cosineLr(s, 3)).toBe(1);
    expect(cosineLr(s, 8)).toBeCloseTo(0.5, 12);
    expect(cosineLr(s, 13)).toBeCloseTo(0, 12);
    expect(cosineLr({ ...s, minRatio: 0.1 }, 13)).toBeCloseTo(0.1, 12);
  });
  it('refuses a warmup longer than the run and a non-positive rate', () => {
    expect(() => cosineLr({ ...s, warmupSteps: 20 }, 0)).toThrow(TrainingOptionsError);
    expect(() => cosineLr({ ...s, peakLr: 0 }, 0)).toThrow(/learning rate must be positive/);
  });
});

describe('clipByGlobalNorm', () => {
  it('scales every tensor by the same factor when the global norm is over the limit', () => {
    const g = new Map([['a', Float32Array.from([3])], ['b', Float32Array.from([0, 4])]]);
    expect(clipByGlobalNorm(g, 1)).toBeCloseTo(5, 6);
    expect(Array.from(g.get('a')!)).toEqual([expect.closeTo(0.6, 5)]);
    expect(Array.from(g.get('b')!)).toEqual([0, expect.closeTo(0.8, 5)]);
  });
  it('leaves gradients under the limit alone', () => {
    const g = new Map([['a', Float32Array.from([0.3, 0.4])]]);
    expect(clipByGlobalNorm(g, 1)).toBeCloseTo(0.5, 6);
    expect(Array.from(g.get('a')!)).toEqual([expect.closeTo(0.3, 6), expect.closeTo(0.4, 6)]);
  });
});
