import type { MoeConfig } from '../../model/moe-config';
import { UnsupportedArchitectureError } from '../../moe.errors';

/** cos/sin tables of rotary embeddings, [positions, headDim/2] row-major, as GroupQueryAttention takes them. */
export interface RopeCache {
  positions: number;
  halfDim: number;
  cos: Float32Array;
  sin: Float32Array;
}

/**
 * Inverse frequencies following Hugging Face's rope initialisers (modeling_rope_utils.py): default,
 * linear, llama3 and yarn. 'dynamic' NTK only changes frequencies beyond the trained context, so
 * within it the default table is exact.
 */
export function ropeInverseFrequencies(config: MoeConfig): { invFreq: Float64Array; attentionFactor: number } {
  const dim = config.headDim;
  const half = dim / 2;
  const invFreq = new Float64Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.pow(config.ropeTheta, (2 * i) / dim);
  const scaling = config.ropeScaling;
  if (!scaling || scaling.type === 'default' || scaling.type === 'dynamic') return { invFreq, attentionFactor: 1 };
  const num = (key: string, fallback: number): number => (typeof scaling[key] === 'number' ? (scaling[key] as number) : fallback);
  switch (scaling.type) {
    case 'linear':
      for (let i = 0; i < half; i++) invFreq[i] /= scaling.factor;
      return { invFreq, attentionFactor: 1 };
    case 'llama3': {
      const original = num('original_max_position_embeddings', 8192);
      const lowFreqWavelen = original / num('low_freq_factor', 1);
      const highFreqWavelen = original / num('high_freq_factor', 4);
      for (let i = 0; i < half; i++) {
        const wavelen = (2 * Math.PI) / invFreq[i];
        if (wavelen > lowFreqWavelen) invFreq[i] /= scaling.factor;
        else if (wavelen >= highFreqWavelen) {
          const smooth = (original / wavelen - num('low_freq_factor', 1)) / (num('high_freq_factor', 4) - num('low_freq_factor', 1));
          invFreq[i] = (1 - smooth) * (invFreq[i] / scaling.factor) + smooth * invFreq[i];
        }
      }
      return { invFreq, attentionFactor: 1 };
    }
    case 'yarn':
      return yarn(config, invFreq, num);
    default:
      throw new UnsupportedArchitectureError(
        `rope_scaling type '${scaling.type}' is not supported (supported: default, linear, dynamic, llama3, yarn)`,
      );
  }
}

function yarn(
  config: MoeConfig,
  base: Float64Array,
  num: (key: string, fallback: number) => number,
): { invFreq: Float64Array; attentionFactor: number } {
  const dim = config.headDim;
  const factor = config.ropeScaling!.factor;
  const original = num('original_max_position_embeddings', config.maxPositionEmbeddings);
  const attentionFactor = num('attention_factor', factor <= 1 ? 1 : 0.1 * Math.log(factor) + 1);
  const betaFast = num('beta_fast', 32);
  const betaSlow = num('beta_slow', 1);
  const correctionDim = (rotations: number) =>
    (dim * Math.log(original / (rotations * 2 * Math.PI))) / (2 * Math.log(config.ropeTheta));
  const low = Math.max(Math.floor(correctionDim(betaFast)), 0);
  const high = Math.min(Math.ceil(correctionDim(betaSlow)), dim - 1);
  const invFreq = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const ramp = Math.min(Math.max((i - low) / (high === low ? high + 0.001 - low : high - low), 0), 1);
    const extrapolationFactor = 1 - ramp;
    invFreq[i] = (base[i] / factor) * (1 - extrapolationFactor) + base[i] * extrapolationFactor;
  }
  return { invFreq, attentionFactor };
}

export function buildRopeCache(config: MoeConfig, positions: number): RopeCache {
  const { invFreq, attentionFactor } = ropeInverseFrequencies(config);
  const halfDim = invFreq.length;
  const cos = new Float32Array(positions * halfDim);
  const sin = new Float32Array(positions * halfDim);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < halfDim; i++) {
      const angle = p * invFreq[i];
      cos[p * halfDim + i] = Math.cos(angle) * attentionFactor;
      sin[p * halfDim + i] = Math.sin(angle) * attentionFactor;
    }
  }
  return { positions, halfDim, cos, sin };
}
