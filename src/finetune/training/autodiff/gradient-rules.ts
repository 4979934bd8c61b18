import { attr, type Attribute } from '../../../moe/onnx/onnx-graph';
import { OnnxDataType } from '../../../moe/onnx/onnx-proto';
import { UnsupportedGradientError } from '../training.errors';
import type { TapeGraph, TapeNode } from './tape-graph';

/**
 * A gradient rule: given the forward node and the gradients of its outputs ('' where an output gets
 * none), emit backward nodes and return one gradient per input ('' for inputs that take none, such as
 * indices and shapes). `needs[i]` says whether input i is on a path to a trained parameter, so a rule
 * can skip work nobody reads.
 */
export type GradientRule = (b: BackwardContext, node: TapeNode, dOut: readonly string[], needs: readonly boolean[]) => string[];

/** Helpers the rules share; every node lands in the same graph as the forward pass. */
export class BackwardContext {
  constructor(readonly g: TapeGraph) {}

  op(opType: string, inputs: readonly string[], attrs: NodeAttrs = {}): string {
    return this.g.op(opType, inputs, { attrs });
  }

  scalar(v: number): string {
    return this.g.float32([v]);
  }

  zerosLike(x: string): string {
    return this.op('Expand', [this.scalar(0), this.op('Shape', [x])]);
  }

  /**
   * Sums a broadcast gradient back to the shape of the operand it came from, with shapes read at run
   * time: the operand's shape is left-padded with ones to dy's rank, every axis where it is 1 is summed
   * (keepdims), and the result is reshaped. Axes already of size 1 in dy sum to themselves, so the rule
   * is exact whatever broadcast happened.
   */
  unbroadcast(dy: string, x: string): string {
    const sx = this.op('Shape', [x]);
    const sdy = this.op('Shape', [dy]);
    const rankGap = this.op('Sub', [this.op('Size', [sdy]), this.op('Size', [sx])]);
    const ones = this.op('Expand', [this.g.int64([1], []), this.op('Reshape', [rankGap, this.g.int64([1])])]);
    const padded = this.op('Concat', [ones, sx], { axis: attr.int(0) });
    const axes = this.op('Reshape', [this.op('NonZero', [this.op('Equal', [padded, this.g.int64([1], [])])]), this.g.int64([-1])]);
    const summed = this.op('ReduceSum', [dy, axes], { keepdims: attr.int(1), noop_with_empty_axes: attr.int(1) });
    return this.op('Reshape', [summed, sx]);
  }
}

type NodeAttrs = Record<string, Attribute>;

function intAttr(node: TapeNode, name: string, fallback: number): number {
  const a = node.attrs[name];
  return a && 'i' in a ? a.i : fallback;
}

function intsAttr(node: TapeNode, name: string): readonly number[] | undefined {
  const a = node.attrs[name];
  return a && 'ints' in a ? a.ints : undefined;
}

/** Reduce* with keepdims=0 dropped the reduced axes; put them back so dy broadcasts against x. */
function restoreReducedAxes(b: BackwardContext, node: TapeNode, dy: string): string {
  if (intAttr(node, 'keepdims', 1) === 1) return dy;
  // Reduced over every axis: dy is a scalar and broadcasts as it is.
  if (!node.inputs[1]) return dy;
  return b.op('Unsqueeze', [dy, node.inputs[1]]);
}

/** `value` with its gradient as a float scalar: elements of x per element of y, for ReduceMean. */
function reductionCount(b: BackwardContext, x: string, y: string): string {
  const count = b.op('Div', [b.op('Size', [x]), b.op('Size', [y])]);
  return b.op('Cast', [count], { to: attr.int(OnnxDataType.FLOAT) });
}

const elementwise = {
  Add: (b, n, [dy]) => [b.unbroadcast(dy, n.inputs[0]), b.unbroadcast(dy, n.inputs[1])],
  Sub: (b, n, [dy], needs) => [b.unbroadcast(dy, n.inputs[0]), needs[1] ? b.unbroadcast(b.op('Neg', [dy]), n.inputs[1]) : ''],
  Mul: (b, n, [dy], needs) => [
    needs[0] ? b.unbroadcast(b.op('Mul', [dy, n.inputs[1]]), n.inputs[0]) : '',
    needs[1] ? b.unbroadcast(b.op('Mul', [dy, n.inputs[0]]), n.inputs[1]) : '',
  ],
  Div: (b, n, [dy], needs) => {
    const [x, d] = n.inputs;
    const dx = b.op('Div', [dy, d]);
    return [needs[0] ? b.unbroadcast(dx, x) : '', needs[1] ? b.unbroadcast(b.op('Neg', [b.op('Mul', [dx, n.outputs[0]])]), d) : ''];
  },
  Neg: (b, _n, [dy]) => [b.op('Neg', [dy])],
  Sum: (b, n, [dy], needs) => n.inputs.map((x, i) => (needs[i] ? b.unbroadcast(dy, x) : '')),
  Identity: (_b, _n, [dy]) => [dy],
  Sqrt: (b, n, [dy]) => [b.op('Div', [b.op('Mul', [dy, b.scalar(0.5)]), n.outputs[0]])],
  Exp: (b, n, [dy]) => [b.op('Mul', [dy, n.outputs[0]])],
  Sigmoid: (b, n, [dy]) => {
    const s = n.outputs[0];
    return [b.op('Mul', [dy, b.op('Mul', [s, b.op('Sub', [b.scalar(1), s])])])];
  },
  Pow: (b, n, [dy], needs) => {
    if (needs[1]) throw new UnsupportedGradientError(`${n.name}: Pow with a trained exponent is not supported`);
    const [x, p] = n.inputs;
    const local = b.op('Mul', [p, b.op('Pow', [x, b.op('Sub', [p, b.scalar(1)])])]);
    return [b.unbroadcast(b.op('Mul', [dy, local]), x), ''];
  },
  Where: (b, n, [dy], needs) => {
    const [cond, x, y] = n.inputs;
    const zero = b.scalar(0);
    return [
      '',
      needs[1] ? b.unbroadcast(b.op('Where', [cond, dy, zero]), x) : '',
      needs[2] ? b.unbroadcast(b.op('Where', [cond, zero, dy]), y) : '',
    ];
  },
  Expand: (b, n, [dy]) => [b.unbroadcast(dy, n.inputs[0]), ''],
  Cast: (_b, n, [dy]) => {
    if (intAttr(n, 'to', 0) !== OnnxDataType.FLOAT) throw new UnsupportedGradientError(`${n.name}: Cast to a non-float type on the gradient path`);
    return [dy];
  },
} satisfies Record<string, GradientRule>;

const linear = {
  /**
   * The graph carries ranks, not shapes: a 2-D right operand (a weight) takes the plain transposed
   * MatMuls with batch axes flattened; equal-rank batched operands swap their last two axes.
   */
  MatMul: (b, n, [dy], needs) => {
    const [a, w] = n.inputs;
    const ra = b.g.rankOf(a);
    const rw = b.g.rankOf(w);
    if (ra === undefined || rw === undefined || ra < 2 || rw < 2 || (rw !== 2 && ra !== rw)) {
      throw new UnsupportedGradientError(`${n.name}: MatMul gradient needs operands of known rank >= 2, either a 2-D right operand or equal ranks (got ${ra} and ${rw})`);
    }
    const swap = (x: string, r: number) => b.op('Transpose', [x], { perm: attr.ints([...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]) });
    const da = needs[0] ? b.op('MatMul', [dy, swap(w, rw)]) : '';
    if (!needs[1]) return [da, ''];
    if (rw === 2) {
      const cols = (x: string) => b.op('Gather', [b.op('Shape', [x]), b.g.int64([-1])], { axis: attr.int(0) });
      const flat = (x: string) => b.op('Reshape', [x, b.op('Concat', [b.g.int64([-1]), cols(x)], { axis: attr.int(0) })]);
      return [da, b.op('MatMul', [swap(flat(a), 2), flat(dy)])];
    }
    return [da && b.unbroadcast(da, a), b.unbroadcast(b.op('MatMul', [swap(a, ra), dy]), w)];
  },
  ReduceSum: (b, n, [dy]) => [b.op('Expand', [restoreReducedAxes(b, n, dy), b.op('Shape', [n.inputs[0]])]), ''],
  ReduceMean: (b, n, [dy]) => {
    const spread = b.op('Expand', [restoreReducedAxes(b, n, dy), b.op('Shape', [n.inputs[0]])]);
    return [b.op('Div', [spread, reductionCount(b, n.inputs[0], n.outputs[0])]), ''];
  },
  Softmax: (b, n, [dy]) => {
    const y = n.outputs[0];
    const dot = b.op('ReduceSum', [b.op('Mul', [dy, y]), b.g.int64([intAttr(n, 'axis', -1)])], { keepdims: attr.int(1) });
    return [b.op('Mul', [y, b.op('Sub', [dy, dot])])];
  },
  LogSoftmax: (b, n, [dy]) => {
    const total = b.op('ReduceSum', [dy, b.g.int64([intAttr(n, 'axis', -1)])], { keepdims: attr.int(1) });
    return [b.op('Sub', [dy, b.op('Mul', [b.op('Exp', [n.outputs[0]]), total])])];
  },
} satisfies Record<string, GradientRule>;

const shaping = {
  Reshape: (b, n, [dy]) => [b.op('Reshape', [dy, b.op('Shape', [n.inputs[0]])]), ''],
  Unsqueeze: (b, n, [dy]) => [b.op('Reshape', [dy, b.op('Shape', [n.inputs[0]])]), ''],
  Squeeze: (b, n, [dy]) => [b.op('Reshape', [dy, b.op('Shape', [n.inputs[0]])]), ''],
  Flatten: (b, n, [dy]) => [b.op('Reshape', [dy, b.op('Shape', [n.inputs[0]])])],
  Transpose: (b, n, [dy]) => {
    const perm = intsAttr(n, 'perm');
    if (!perm) throw new UnsupportedGradientError(`${n.name}: Transpose without an explicit perm`);
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [b.op('Transpose', [dy], { perm: attr.ints(inverse) })];
  },
  Concat: (b, n, [dy], needs) => {
    const axis = intAttr(n, 'axis', 0);
    const sizes = n.inputs.map((x) => b.op('Gather', [b.op('Shape', [x]), b.g.int64([axis])], { axis: attr.int(0) }));
    const parts = b.g.node('Split', [dy, b.op('Concat', sizes, { axis: attr.int(0) })], {
      outputs: n.inputs.length,
      attrs: { axis: attr.int(axis) },
    });
    return parts.map((p, i) => (needs[i] ? p : ''));
  },
  Split: (b, n, dOut) => {
    const axis = intAttr(n, 'axis', 0);
    const parts = dOut.map((d, i) => d || b.zerosLike(n.outputs[i]));
    return [b.op('Concat', parts, { axis: attr.int(axis) }), ''];
  },
  /** The linear map of any Slice (steps, negative starts) is read off a Slice of element indices, then scattered back. */
  Slice: (b, n, [dy]) => {
    const x = n.inputs[0];
    const shape = b.op('Shape', [x]);
    const ids = b.op('Reshape', [b.op('Range', [b.g.int64([0], []), b.op('Size', [x]), b.g.int64([1], [])]), shape]);
    const picked = b.op('Slice', [ids, ...n.inputs.slice(1)]);
    const flatIdx = b.op('Unsqueeze', [b.op('Reshape', [picked, b.g.int64([-1])]), b.g.int64([1])]);
    const flatZeros = b.op('Reshape', [b.zerosLike(x), b.g.int64([-1])]);
    const scattered = b.op('ScatterND', [flatZeros, flatIdx, b.op('Reshape', [dy, b.g.int64([-1])])], { reduction: attr.str('add') });
    return [b.op('Reshape', [scattered, shape]), ...n.inputs.slice(1).map(() => '')];
  },
} satisfies Record<string, GradientRule>;

const indexing = {
  /** Embedding lookup: rows gathered on axis 0 scatter-add back, so a token seen twice gets both gradients. */
  Gather: (b, n, [dy]) => {
    if (intAttr(n, 'axis', 0) !== 0) throw new UnsupportedGradientError(`${n.name}: Gather gradient is implemented for axis 0 only`);
    const [data, idx] = n.inputs;
    const where = b.op('Unsqueeze', [idx, b.g.int64([-1])]);
    return [b.op('ScatterND', [b.zerosLike(data), where, dy], { reduction: attr.str('add') }), ''];
  },
  GatherElements: (b, n, [dy]) => {
    const [data, idx] = n.inputs;
    const axis = attr.int(intAttr(n, 'axis', 0));
    return [b.op('ScatterElements', [b.zerosLike(data), idx, dy], { axis, reduction: attr.str('add') }), ''];
  },
  /** Scatter-add of expert outputs back to their rows: data passes dy through, updates read theirs back. */
  ScatterND: (b, n, [dy], needs) => {
    const reduction = n.attrs.reduction;
    if (!reduction || !('s' in reduction) || reduction.s !== 'add') {
      throw new UnsupportedGradientError(`${n.name}: ScatterND gradient is implemented for reduction='add' only`);
    }
    return [needs[0] ? dy : '', '', needs[2] ? b.op('GatherND', [dy, n.inputs[1]]) : ''];
  },
  TopK: (b, n, [dValues]) => {
    if (!dValues) return ['', ''];
    const axis = attr.int(intAttr(n, 'axis', -1));
    return [b.op('ScatterElements', [b.zerosLike(n.inputs[0]), n.outputs[1], dValues], { axis, reduction: attr.str('add') }), ''];
  },
} satisfies Record<string, GradientRule>;

export const GRADIENT_RULES: Readonly<Record<string, GradientRule>> = { ...elementwise, ...linear, ...shaping, ...indexing };

/** Outputs that carry no gradient although their op is differentiable (TopK's indices). */
export const NON_DIFFERENTIABLE_OUTPUTS: Readonly<Record<string, readonly number[]>> = { TopK: [1] };

/**
 * Ops whose outputs carry no gradient (shapes, comparisons, indices). A path through them is cut, not
 * an error: the top-k mask of a frozen router is one.
 */
export const NON_DIFFERENTIABLE_OPS: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'Range', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or',
  'ArgMax', 'ArgMin', 'NonZero', 'ConstantOfShape',
]);
