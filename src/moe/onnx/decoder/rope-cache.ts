import type { MoeConfig } from '../../model/moe-config';
import { ropeParameters } from '../../reference/rope';

/** cos/sin tables of rotary embeddings, [positions, headDim/2] row-major, as GroupQueryAttention takes them. */
export interface RopeCache {
  positions: number;
  halfDim: number;
  cos: Float32Array;
  sin: Float32Array;
}

/**
 * Tables from the same frequencies the reference pass rotates with (config theta and scaling:
 * linear, llama3, yarn; dynamic NTK is exact within the trained context, which the table spans).
 * Angles are computed in float64 and rounded once.
 */
export function buildRopeCache(config: MoeConfig, positions: number): RopeCache {
  const { invFreq, attentionScaling } = ropeParameters(config);
  const halfDim = invFreq.length;
  const cos = new Float32Array(positions * halfDim);
  const sin = new Float32Array(positions * halfDim);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < halfDim; i++) {
      const angle = p * invFreq[i];
      cos[p * halfDim + i] = Math.cos(angle) * attentionScaling;
      sin[p * halfDim + i] = Math.sin(angle) * attentionScaling;
    }
  }
  return { positions, halfDim, cos, sin };
}
