/**
 * How each class of weight enters the graph. The manifest of an imported model records one bit
 * width per class, so a mixed recipe (attention INT8, experts INT4, ...) is a plan, not a new builder.
 */
export type TensorClass =
  | 'embedding'
  | 'attention'
  | 'router'
  | 'expert_gate_up'
  | 'expert_down'
  | 'shared_expert'
  | 'dense_mlp'
  | 'lm_head';

export const TENSOR_CLASSES: readonly TensorClass[] = [
  'embedding',
  'attention',
  'router',
  'expert_gate_up',
  'expert_down',
  'shared_expert',
  'dense_mlp',
  'lm_head',
];

export type WeightBits = 32 | 16 | 8 | 4 | 3 | 2;

export interface WeightPlan {
  /** Bits per class; absent classes are float32. */
  bits: Partial<Record<TensorClass, WeightBits>>;
  /** Group (block) size of quantized classes: 32, 64 or 128. */
  group: number;
  symmetric: boolean;
}

export const FLOAT32_PLAN: WeightPlan = { bits: {}, group: 32, symmetric: true };

export function bitsOf(plan: WeightPlan, cls: TensorClass): WeightBits {
  return plan.bits[cls] ?? 32;
}

/**
 * A plan that gives every matrix the same width, except the embedding table (a gather, not a
 * matmul: kept at 16 bits when quantizing) and the router (tiny, and routing decisions are brittle).
 */
export function uniformPlan(bits: WeightBits, group = 32, symmetric = true): WeightPlan {
  if (bits === 32) return { bits: {}, group, symmetric };
  const quant = bits <= 8;
  const plan: WeightPlan = { bits: {}, group, symmetric };
  for (const cls of TENSOR_CLASSES) plan.bits[cls] = bits;
  if (quant) {
    plan.bits.embedding = 16;
    plan.bits.router = 32;
  }
  return plan;
}
