import type { TapeNode } from './tape-graph';

type Lookup = (value: string) => number | undefined;

export interface InferredRank {
  /** Rank of each output, undefined where unknown. */
  ranks: Array<number | undefined>;
  /** Length of output 0 when it is a 1-D vector of known length. */
  length?: number;
}

const SAME_AS_FIRST = new Set([
  'Neg', 'Sqrt', 'Exp', 'Log', 'Sigmoid', 'Tanh', 'Relu', 'Cast', 'Identity', 'Softmax', 'LogSoftmax', 'Transpose',
  'Concat', 'Slice', 'GatherElements', 'ScatterElements', 'ScatterND', 'Reciprocal', 'Abs', 'Not', 'Erf',
]);
const BROADCAST = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'And', 'Or',
  'Sum', 'Max', 'Min', 'MatMul', 'Mod',
]);

function intAttr(node: TapeNode, name: string, fallback: number): number {
  const a = node.attrs[name];
  return a && 'i' in a ? a.i : fallback;
}

/** Static rank of a node's outputs from its inputs' ranks; only what the rules need, unknown otherwise. */
export function inferRank(node: TapeNode, rank: Lookup, length: Lookup): InferredRank {
  const r0 = node.inputs[0] ? rank(node.inputs[0]) : undefined;
  const all = node.outputs.map(() => r0);
  const op = node.opType;
  if (SAME_AS_FIRST.has(op)) {
    if (op === 'Concat' && r0 === 1) {
      const parts = node.inputs.map(length);
      return { ranks: all, length: parts.every((p) => p !== undefined) ? parts.reduce((a, b) => a! + b!, 0) : undefined };
    }
    return { ranks: all };
  }
  if (op === 'Split' || op === 'TopK') return { ranks: all };
  if (BROADCAST.has(op)) {
    const rs = node.inputs.filter(Boolean).map(rank);
    return { ranks: [rs.every((r) => r !== undefined) ? Math.max(...(rs as number[])) : undefined] };
  }
  switch (op) {
    case 'Shape':
      return { ranks: [1], length: r0 };
    case 'Size':
      return { ranks: [0] };
    case 'Range':
      return { ranks: [1] };
    case 'NonZero':
      return { ranks: [2] };
    case 'Reshape':
    case 'Expand':
    case 'ConstantOfShape': {
      const n = length(node.inputs[op === 'ConstantOfShape' ? 0 : 1]);
      const r = op === 'Expand' && n !== undefined && r0 !== undefined ? Math.max(n, r0) : n;
      return { ranks: [r] };
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const n = length(node.inputs[1]);
      if (r0 === undefined || n === undefined) return { ranks: [undefined] };
      return { ranks: [op === 'Unsqueeze' ? r0 + n : r0 - n] };
    }
    case 'Gather': {
      const ri = rank(node.inputs[1]);
      return { ranks: [r0 !== undefined && ri !== undefined ? r0 - 1 + ri : undefined] };
    }
    case 'ReduceSum':
    case 'ReduceMean':
    case 'ReduceMax':
    case 'ReduceMin': {
      if (intAttr(node, 'keepdims', 1) === 1) return { ranks: [r0] };
      if (!node.inputs[1]) return { ranks: [0] };
      const n = length(node.inputs[1]);
      return { ranks: [r0 !== undefined && n !== undefined ? r0 - n : undefined] };
    }
    default:
      return { ranks: node.outputs.map(() => undefined) };
  }
}
