import { NoGradientRuleError, TrainingError } from '../training.errors';
import { BackwardContext, GRADIENT_RULES, NON_DIFFERENTIABLE_OPS, NON_DIFFERENTIABLE_OUTPUTS } from './gradient-rules';
import type { TapeGraph, TapeNode } from './tape-graph';

/**
 * Reverse-mode differentiation over the tape: seeds d(loss)/d(loss) = 1, walks the nodes that lie
 * between the parameters and the loss in reverse order, and emits each op's gradient rule into the same
 * graph. Returns one gradient value name per parameter, in the order given.
 *
 * Only nodes on a parameter-to-loss path are differentiated, so frozen weights, shapes and masks cost
 * nothing and ops without a rule are fine off that path. A value used by several nodes gets the Sum of
 * their contributions.
 */
export function buildBackward(g: TapeGraph, loss: string, params: readonly string[]): string[] {
  const forward = [...g.tape];
  const needs = dependsOnParams(forward, params);
  const reaches = reachesLoss(forward, loss);
  if (!needs.has(loss)) throw new TrainingError(`the loss ${loss} does not depend on any of the parameters ${params.join(', ')}`);

  const b = new BackwardContext(g);
  const pending = new Map<string, string[]>();
  const add = (value: string, grad: string) => {
    if (!grad) return;
    const list = pending.get(value) ?? [];
    list.push(grad);
    pending.set(value, list);
  };
  const gradOf = (value: string): string => {
    const list = pending.get(value);
    if (!list || list.length === 0) return '';
    if (list.length > 1) pending.set(value, [g.op('Sum', list)]);
    return pending.get(value)![0];
  };

  add(loss, g.op('Expand', [g.float32([1]), g.op('Shape', [loss])]));
  g.scope('backward', () => {
    for (let i = forward.length - 1; i >= 0; i--) {
      const node = forward[i];
      if (!node.outputs.some((o) => reaches.has(o) && needs.has(o))) continue;
      const inputNeeds = node.inputs.map((x) => x !== '' && needs.has(x));
      if (!inputNeeds.some(Boolean)) continue;
      const dOut = node.outputs.map((o) => (o ? gradOf(o) : ''));
      if (dOut.every((d) => d === '')) continue;
      const rule = GRADIENT_RULES[node.opType];
      if (!rule || node.domain !== '') throw new NoGradientRuleError(node.opType, node.name);
      const dIn = g.scope(node.name.replace(/^\//, '').replace(/\//g, '.'), () => rule(b, node, dOut, inputNeeds));
      node.inputs.forEach((x, k) => inputNeeds[k] && add(x, dIn[k] ?? ''));
    }
  });

  return params.map((p) => {
    const grad = gradOf(p);
    // A parameter that feeds nothing on the loss path has a zero gradient, not a missing one.
    return grad || b.zerosLike(p);
  });
}

/** Values computed (differentiably) from at least one parameter. */
function dependsOnParams(nodes: readonly TapeNode[], params: readonly string[]): Set<string> {
  const needs = new Set(params);
  for (const n of nodes) {
    if (NON_DIFFERENTIABLE_OPS.has(n.opType)) continue;
    const cut = NON_DIFFERENTIABLE_OUTPUTS[n.opType] ?? [];
    if (n.inputs.some((x) => needs.has(x))) n.outputs.forEach((o, i) => o && !cut.includes(i) && needs.add(o));
  }
  return needs;
}

/** Values the loss is computed from. */
function reachesLoss(nodes: readonly TapeNode[], loss: string): Set<string> {
  const reaches = new Set([loss]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (n.outputs.some((o) => reaches.has(o))) n.inputs.forEach((x) => x && reaches.add(x));
  }
  return reaches;
}

/** Op types that have a gradient rule, for documentation and error messages. */
export function supportedGradientOps(): string[] {
  return Object.keys(GRADIENT_RULES).sort();
}
