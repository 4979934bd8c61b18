import { UnsupportedArchitectureError } from '../../moe.errors';
import { DecoderBuilder } from '../decoder/decoder.builder';

/** Qwen3-MoE: per-head RMSNorm of queries and keys before RoPE, no qkv bias, no shared expert. */
export class Qwen3MoeBuilder extends DecoderBuilder {
  protected override makeQkNorm(layer: number, q: string, k: string): [string, string] {
    if (this.config.qkNorm !== 'per-head') {
      throw new UnsupportedArchitectureError(`qwen3_moe expects per-head q/k norms, config says ${this.config.qkNorm}`);
    }
    return super.makeQkNorm(layer, q, k);
  }
}
