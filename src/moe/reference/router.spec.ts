import type { MoeBlockConfig } from '../model/moe-config';
import { ropeParameters } from './rope';
import { routeToken, topK } from './router';

const block = (overrides: Partial<MoeBlockConfig>): MoeBlockConfig => ({
  numExperts: 4, topK: 2, intermediateSize: 8, normTopKProb: false, scoring: 'softmax-then-topk', routedScalingFactor: 1, sharedExpert: null, ...overrides,
});

describe('routeToken', () => {
  const logits = [1, 3, 0, 2];
  const exps = logits.map(Math.exp);
  const total = exps.reduce((a, b) => a + b);

  it('softmax then top-k keeps full-softmax probabilities (Qwen2-MoE, OLMoE)', () => {
    const r = routeToken(logits, block({}));
    expect(r.experts).toEqual([1, 3]);
    expect(r.weights[0]).toBeCloseTo(exps[1] / total, 12);
    expect(r.weights[1]).toBeCloseTo(exps[3] / total, 12);
  });

  it('renormalised top-k equals softmax over the top-k logits (Mixtral)', () => {
    const a = routeToken(logits, block({ normTopKProb: true }));
    const b = routeToken(logits, block({ scoring: 'topk-then-softmax' }));
    expect(a.experts).toEqual(b.experts);
    expect(a.weights[0]).toBeCloseTo(Math.exp(3) / (Math.exp(3) + Math.exp(2)), 12);
    expect(b.weights[0]).toBeCloseTo(a.weights[0], 12);
  });

  it('applies the routed scaling factor (DeepSeek)', () => {
    const r = routeToken(logits, block({ routedScalingFactor: 16 }));
    expect(r.weights[0]).toBeCloseTo((16 * exps[1]) / total, 10);
  });

  it('breaks ties toward the lower expert index', () => {
    expect(topK([0.5, 0.9, 0.9, 0.1], 2)).toEqual([1, 2]);
  });
});

describe('ropeParameters', () => {
  const base = { headDim: 8, ropeTheta: 10000, maxPositionEmbeddings: 4096 };

  it('default frequencies are theta^(-2i/d)', () => {
    const { invFreq, attentionScaling } = ropeParameters({ ...base, ropeScaling: null });
    expect([...invFreq]).toEqual([1, 10000 ** -0.25, 10000 ** -0.5, 10000 ** -0.75]);
    expect(attentionScaling).toBe(1);
  });

  it('linear scaling divides every frequency by the factor', () => {
    const { invFreq } = ropeParameters({ ...base, ropeScaling: { type: 'linear', factor: 4 } });
    expect(invFreq[1]).toBeCloseTo(10000 ** -0.25 / 4, 15);
  });

  it('llama3 keeps high frequencies and divides low ones by the factor', () => {
    const cfg = { headDim: 128, ropeTheta: 500000, maxPositionEmbeddings: 131072, ropeScaling: { type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } };
    const scaled = ropeParameters(cfg).invFreq;
    const plain = ropeParameters({ ...cfg, ropeScaling: null }).invFreq;
    expect(scaled[0]).toBe(plain[0]);
    expect(scaled[63]).toBeCloseTo(plain[63] / 8, 20);
  });

  it('yarn sets the attention factor 0.1 ln(s) + 1', () => {
    const { attentionScaling, invFreq } = ropeParameters({ ...base, ropeScaling: { type: 'yarn', factor: 4, original_max_position_embeddings: 1024 } });
    expect(attentionScaling).toBeCloseTo(0.1 * Math.log(4) + 1, 12);
    expect(invFreq[0]).toBeCloseTo(1, 12);
  });

  it('dynamic NTK grows the base only past the trained length', () => {
    const cfg = { ...base, ropeScaling: { type: 'dynamic', factor: 2 } };
    expect(ropeParameters(cfg, 4096).invFreq[1]).toBe(ropeParameters({ ...base, ropeScaling: null }).invFreq[1]);
    expect(ropeParameters(cfg, 8192).invFreq[1]).toBeLessThan(ropeParameters(cfg, 4096).invFreq[1]);
  });
});
