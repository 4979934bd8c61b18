import { attr } from '../../../moe/onnx/onnx-graph';
import { NoGradientRuleError, UnsupportedGradientError } from '../training.errors';
import { buildBackward, supportedGradientOps } from './backward';
import { checkGradients, gridValues, type CheckedInput } from './gradient-check';
import { TapeGraph } from './tape-graph';

const TOLERANCE = 2e-3;

const t = (name: string, dims: number[], seed: number, trained = true): CheckedInput => ({
  name,
  dims,
  data: gridValues(dims.reduce((a, b) => a * b, 1), seed),
  trained,
});
const positive = (name: string, dims: number[], seed: number): CheckedInput => {
  const x = t(name, dims, seed);
  (x.data as Float32Array).forEach((v, i, a) => (a[i] = Math.abs(v) + 0.5));
  return x;
};
const ids = (name: string, dims: number[], values: number[]): CheckedInput => ({ name, dims, data: BigInt64Array.from(values.map(BigInt)) });

type Case = [string, CheckedInput[], (g: TapeGraph, v: Record<string, string>) => string];

const cases: Case[] = [
  ['Add with broadcast over leading and inner axes', [t('a', [2, 3, 4], 1), t('b', [3, 1], 2)], (g, v) => g.op('Add', [v.a, v.b])],
  ['Sub with broadcast', [t('a', [2, 3], 3), t('b', [3], 4)], (g, v) => g.op('Sub', [v.a, v.b])],
  ['Mul with broadcast', [t('a', [2, 3, 4], 5), t('b', [1, 3, 1], 6)], (g, v) => g.op('Mul', [v.a, v.b])],
  ['Div', [t('a', [3, 4], 7), positive('b', [4], 8)], (g, v) => g.op('Div', [v.a, v.b])],
  ['Neg', [t('a', [5], 9)], (g, v) => g.op('Neg', [v.a])],
  ['Sqrt', [positive('a', [6], 10)], (g, v) => g.op('Sqrt', [v.a])],
  ['Pow with a constant exponent', [positive('a', [6], 11)], (g, v) => g.op('Pow', [v.a, g.float32([3])])],
  ['ReduceMean keepdims', [t('a', [2, 5], 12)], (g, v) => g.op('ReduceMean', [v.a, g.int64([-1])], { attrs: { keepdims: attr.int(1) } })],
  ['ReduceSum without keepdims', [t('a', [2, 3, 4], 13)], (g, v) => g.op('ReduceSum', [v.a, g.int64([1])], { attrs: { keepdims: attr.int(0) } })],
  ['MatMul batched against a 2-D weight', [t('a', [2, 3, 4], 14), t('w', [4, 5], 15)], (g, v) => g.op('MatMul', [v.a, v.w])],
  ['MatMul batched against batched', [t('a', [2, 3, 4], 16), t('b', [2, 4, 2], 17)], (g, v) => g.op('MatMul', [v.a, v.b])],
  ['MatMul with a broadcast batch axis', [t('a', [2, 2, 3, 4], 42), t('b', [1, 2, 4, 2], 43)], (g, v) => g.op('MatMul', [v.a, v.b])],
  ['Reshape', [t('a', [2, 6], 18)], (g, v) => g.op('Reshape', [v.a, g.int64([3, 4])])],
  ['Transpose', [t('a', [2, 3, 4], 19)], (g, v) => g.op('Transpose', [v.a], { attrs: { perm: attr.ints([2, 0, 1]) } })],
  ['Unsqueeze', [t('a', [2, 3], 20)], (g, v) => g.op('Unsqueeze', [v.a, g.int64([1])])],
  ['Gather rows with a repeated index', [t('e', [5, 3], 21), ids('i', [2, 2], [1, 4, 1, 0])], (g, v) => g.op('Gather', [v.e, v.i], { attrs: { axis: attr.int(0) } })],
  ['GatherElements', [t('a', [3, 4], 22), ids('i', [3, 1], [2, 0, 3])], (g, v) => g.op('GatherElements', [v.a, v.i], { attrs: { axis: attr.int(-1) } })],
  ['Softmax', [t('a', [2, 5], 23)], (g, v) => g.op('Softmax', [v.a], { attrs: { axis: attr.int(-1) } })],
  ['LogSoftmax', [t('a', [2, 5], 24)], (g, v) => g.op('LogSoftmax', [v.a], { attrs: { axis: attr.int(-1) } })],
  ['Sigmoid', [t('a', [6], 25)], (g, v) => g.op('Sigmoid', [v.a])],
  ['SiLU as x * Sigmoid(x)', [t('a', [6], 26)], (g, v) => g.op('Mul', [v.a, g.op('Sigmoid', [v.a])])],
  ['Exp', [t('a', [5], 27)], (g, v) => g.op('Exp', [v.a])],
  ['Concat', [t('a', [2, 3], 28), t('b', [2, 2], 29)], (g, v) => g.op('Concat', [v.a, v.b], { attrs: { axis: attr.int(-1) } })],
  ['Split with one output unused', [t('a', [2, 6], 30)], (g, v) => g.node('Split', [v.a, g.int64([2, 4])], { outputs: 2, attrs: { axis: attr.int(1) } })[1]],
  ['Slice with a step', [t('a', [3, 7], 31)], (g, v) => g.op('Slice', [v.a, g.int64([1]), g.int64([7]), g.int64([1]), g.int64([2])])],
  ['Cast float to float', [t('a', [4], 32)], (g, v) => g.op('Cast', [v.a], { attrs: { to: attr.int(1) } })],
  ['Where with a causal mask, then Softmax', [t('a', [3, 3], 33)], (g, v) => {
    const r = g.op('Range', [g.int64([0], []), g.int64([3], []), g.int64([1], [])]);
    const future = g.op('Greater', [g.op('Unsqueeze', [r, g.int64([0])]), g.op('Unsqueeze', [r, g.int64([1])])]);
    return g.op('Softmax', [g.op('Where', [future, g.float32([-1e9]), v.a])], { attrs: { axis: attr.int(-1) } });
  }],
  ['Expand', [t('a', [3, 1], 34)], (g, v) => g.op('Expand', [v.a, g.int64([2, 3, 4])])],
  ['TopK values', [t('a', [3, 5], 35)], (g, v) => g.node('TopK', [v.a, g.int64([2])], { outputs: 2, attrs: { axis: attr.int(-1) } })[0]],
  ['Sum with broadcast', [t('a', [2, 3], 44), t('b', [3], 45)], (g, v) => g.op('Sum', [v.a, v.b, v.a])],
  ['ScatterND add of gathered rows (sparse expert routing)', [t('x', [4, 3], 46), t('u', [2, 3], 47), ids('r', [2], [3, 1])], (g, v) => {
    const rows = g.op('Mul', [g.op('Gather', [v.x, v.r], { attrs: { axis: attr.int(0) } }), v.u]);
    return g.op('ScatterND', [v.x, g.op('Unsqueeze', [v.r, g.int64([1])]), rows], { attrs: { reduction: attr.str('add') } });
  }],
  ['value used twice (gradients summed)', [t('a', [2, 3], 36)], (g, v) => g.op('Mul', [g.op('Sigmoid', [v.a]), g.op('Exp', [v.a])])],
];

describe('gradient rules against finite differences', () => {
  it.each(cases)('%s', async (_name, inputs, forward) => {
    const result = await checkGradients(inputs, forward);
    expect(result.worstError).toBeLessThan(TOLERANCE);
  });

  it('composes into RMSNorm → attention-style softmax → cross-entropy', async () => {
    const result = await checkGradients([t('x', [3, 4], 40), t('w', [4, 5], 41), ids('y', [3, 1], [0, 4, 2])], (g, v) => {
      const ms = g.op('ReduceMean', [g.op('Pow', [v.x, g.float32([2])]), g.int64([-1])], { attrs: { keepdims: attr.int(1) } });
      const normed = g.op('Div', [v.x, g.op('Sqrt', [g.op('Add', [ms, g.float32([1e-5])])])]);
      const logp = g.op('LogSoftmax', [g.op('MatMul', [normed, v.w])], { attrs: { axis: attr.int(-1) } });
      return g.op('Neg', [g.op('GatherElements', [logp, v.y], { attrs: { axis: attr.int(-1) } })]);
    });
    expect(result.worstError).toBeLessThan(TOLERANCE);
  });
});

describe('buildBackward', () => {
  it('names the op that has no gradient rule', () => {
    const g = new TapeGraph(null);
    const x = g.input('x', 1, [3]);
    const loss = g.op('ReduceSum', [g.op('Tanh', [x])], { attrs: { keepdims: attr.int(0) } });
    expect(() => buildBackward(g, loss, [x])).toThrow(NoGradientRuleError);
    expect(() => buildBackward(g, loss, [x])).toThrow(/'Tanh' \(node \/Tanh\)/);
  });

  it('ignores ops without a rule that lie off the parameter path', () => {
    const g = new TapeGraph(null);
    const x = g.input('x', 1, [3]);
    const frozen = g.op('Tanh', [g.float32([0.5, 1, 2], [3])]);
    const loss = g.op('ReduceSum', [g.op('Mul', [x, frozen])], { attrs: { keepdims: attr.int(0) } });
    expect(buildBackward(g, loss, [x])).toHaveLength(1);
  });

  it('refuses a rule used in a way it does not cover, naming the node', () => {
    const g = new TapeGraph(null);
    const x = g.input('x', 1, [3, 4]);
    const picked = g.op('Gather', [x, g.int64([0, 2])], { attrs: { axis: attr.int(1) } });
    const loss = g.op('ReduceSum', [picked], { attrs: { keepdims: attr.int(0) } });
    expect(() => buildBackward(g, loss, [x])).toThrow(UnsupportedGradientError);
    expect(() => buildBackward(g, loss, [x])).toThrow(/\/Gather: Gather gradient is implemented for axis 0 only/);
  });

  it('refuses a loss that does not depend on the parameters', () => {
    const g = new TapeGraph(null);
    const x = g.input('x', 1, [3]);
    const loss = g.op('ReduceSum', [g.float32([1, 2, 3], [3])], { attrs: { keepdims: attr.int(0) } });
    expect(() => buildBackward(g, loss, [x])).toThrow(/does not depend on any of the parameters x/);
  });

  it('lists the supported ops', () => {
    expect(supportedGradientOps()).toEqual(expect.arrayContaining(['MatMul', 'Softmax', 'Gather', 'Slice', 'LogSoftmax']));
  });
});
