import { DecoderBuilder } from '../decoder/decoder.builder';

/**
 * Qwen2-MoE: qkv bias and a shared expert gated by sigmoid(x · shared_expert_gate); both are read
 * from the config and weights by the base steps, so nothing is overridden.
 */
export class Qwen2MoeBuilder extends DecoderBuilder {}
