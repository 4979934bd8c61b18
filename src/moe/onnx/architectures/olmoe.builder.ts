import { UnsupportedArchitectureError } from '../../moe.errors';
import { DecoderBuilder } from '../decoder/decoder.builder';

/** OLMoE: RMSNorm over the whole q and k projections (not per head) before RoPE; 64 experts, top-8. */
export class OlmoeBuilder extends DecoderBuilder {
  protected override makeQkNorm(layer: number, q: string, k: string): [string, string] {
    if (this.config.qkNorm !== 'full') {
      throw new UnsupportedArchitectureError(`olmoe expects q/k norms over the full projection, config says ${this.config.qkNorm}`);
    }
    return super.makeQkNorm(layer, q, k);
  }
}
