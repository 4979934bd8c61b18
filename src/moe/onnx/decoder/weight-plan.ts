import type { QuantizationPlan } from '../../quantize/quantization-plan';
import { plannedTensorFor } from '../../quantize/quantization-plan';
import type { TensorClass, WeightRef } from '../../quantize/model-tensors';
import type { QuantSpec } from '../../quantize/quantize.types';

export type { TensorClass, WeightRef };

export type WeightBits = 32 | 16 | 8 | 4 | 3 | 2;

/** How one weight is stored in the graph: float32, float16, or quantized codes with their spec. */
export interface WeightPrecision {
  bits: WeightBits;
  spec: QuantSpec | null;
}

/**
 * Per-tensor storage decisions. The quantizer's plan (src/moe/quantize/quantization-plan.ts) decides
 * widths per tensor (per layer and class, with llama.cpp-style promotions); the builder only asks.
 */
export interface WeightPlan {
  precisionOf(ref: WeightRef, cls: TensorClass): WeightPrecision;
  /** The experts of one layer share a width (the fused MoE kernel takes float experts only). */
  readonly float: boolean;
}

/** Every matrix float32 (32) or float16-stored, float32 at run time (16). */
export function floatPlan(bits: 32 | 16 = 32): WeightPlan {
  return { float: true, precisionOf: () => ({ bits, spec: null }) };
}

export const FLOAT32_PLAN = floatPlan(32);

/** The quantizer's plan, tensor by tensor. */
export function quantizedPlan(plan: QuantizationPlan): WeightPlan {
  return {
    float: false,
    precisionOf: (ref) => {
      const t = plannedTensorFor(plan, ref);
      return { bits: t.bits, spec: t.spec };
    },
  };
}
