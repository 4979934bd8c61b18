import { UnsupportedArchitectureError } from '../moe.errors';
import type { MoeConfig, RopeScaling } from '../model/moe-config';

export interface RopeParameters {
  /** Inverse frequency of each rotated pair, headDim / 2 of them. */
  readonly invFreq: Float64Array;
  /** Multiplies cos and sin (YaRN's attention factor; 1 otherwise). */
  readonly attentionScaling: number;
}

/**
 * Rotary frequencies as Hugging Face's `ROPE_INIT_FUNCTIONS` compute them, for the config's theta
 * and scaling. `seqLen` matters only for dynamic NTK scaling, which grows the base once a sequence
 * passes the trained length. Shared by the reference pass and the graph builder's cos/sin tables.
 */
export function ropeParameters(config: Pick<MoeConfig, 'headDim' | 'ropeTheta' | 'ropeScaling' | 'maxPositionEmbeddings'>, seqLen = 0): RopeParameters {
  const dim = config.headDim;
  const scaling = config.ropeScaling;
  let base = config.ropeTheta;
  if (scaling?.type === 'dynamic') {
    const original = numberField(scaling, 'original_max_position_embeddings', config.maxPositionEmbeddings);
    if (seqLen > original) base *= ((scaling.factor * seqLen) / original - (scaling.factor - 1)) ** (dim / (dim - 2));
  }
  const invFreq = defaultInvFreq(base, dim);
  if (!scaling || scaling.type === 'dynamic') return { invFreq, attentionScaling: 1 };
  switch (scaling.type) {
    case 'linear':
      return { invFreq: invFreq.map((f) => f / scaling.factor), attentionScaling: 1 };
    case 'llama3':
      return { invFreq: llama3InvFreq(invFreq, scaling, config.maxPositionEmbeddings), attentionScaling: 1 };
    case 'yarn':
      return yarn(base, dim, scaling, config.maxPositionEmbeddings);
    default:
      throw new UnsupportedArchitectureError(`rope scaling type "${scaling.type}" is not supported`);
  }
}

function defaultInvFreq(base: number, dim: number): Float64Array {
  const out = new Float64Array(dim / 2);
  for (let i = 0; i < out.length; i++) out[i] = 1 / base ** ((2 * i) / dim);
  return out;
}

function numberField(scaling: RopeScaling, key: string, fallback: number): number {
  const value = scaling[key];
  return typeof value === 'number' ? value : fallback;
}

function llama3InvFreq(invFreq: Float64Array, scaling: RopeScaling, maxPositions: number): Float64Array {
  const factor = scaling.factor;
  const low = numberField(scaling, 'low_freq_factor', 1);
  const high = numberField(scaling, 'high_freq_factor', 4);
  const oldContext = numberField(scaling, 'original_max_position_embeddings', maxPositions);
  const lowWavelen = oldContext / low;
  const highWavelen = oldContext / high;
  return invFreq.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / factor;
    const smooth = (oldContext / wavelen - low) / (high - low);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}

function yarn(base: number, dim: number, scaling: RopeScaling, maxPositions: number): RopeParameters {
  const factor = scaling.factor;
  const original = numberField(scaling, 'original_max_position_embeddings', maxPositions);
  const mscaleOf = (scale: number, m = 1) => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
  let attentionScaling = scaling.attention_factor as number | undefined;
  if (typeof attentionScaling !== 'number') {
    const mscale = scaling.mscale as number | undefined;
    const mscaleAllDim = scaling.mscale_all_dim as number | undefined;
    attentionScaling = mscale && mscaleAllDim ? mscaleOf(factor, mscale) / mscaleOf(factor, mscaleAllDim) : mscaleOf(factor);
  }
  const betaFast = numberField(scaling, 'beta_fast', 32);
  const betaSlow = numberField(scaling, 'beta_slow', 1);
  const correctionDim = (rotations: number) => (dim * Math.log(original / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
  const truncate = scaling.truncate !== false;
  let low = correctionDim(betaFast);
  let high = correctionDim(betaSlow);
  if (truncate) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  low = Math.max(low, 0);
  high = Math.min(high, dim - 1);
  if (low === high) high += 0.001;
  const invFreq = new Float64Array(dim / 2);
  for (let i = 0; i < invFreq.length; i++) {
    const posFreq = base ** ((2 * i) / dim);
    const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
    const extrapolationFactor = 1 - ramp;
    invFreq[i] = (1 / (factor * posFreq)) * (1 - extrapolationFactor) + (1 / posFreq) * extrapolationFactor;
  }
  return { invFreq, attentionScaling };
}

/** Rotates one head vector in place, HF's rotate_half convention (pairs i and i + headDim/2). */
export function applyRope(x: Float32Array, offset: number, headDim: number, position: number, rope: RopeParameters): void {
  const half = headDim / 2;
  for (let i = 0; i < half; i++) {
    const angle = position * rope.invFreq[i];
    const cos = Math.cos(angle) * rope.attentionScaling;
    const sin = Math.sin(angle) * rope.attentionScaling;
    const a = x[offset + i];
    const b = x[offset + i + half];
    x[offset + i] = a * cos - b * sin;
    x[offset + i + half] = b * cos + a * sin;
  }
}
