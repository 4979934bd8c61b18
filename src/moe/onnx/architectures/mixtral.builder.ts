import { DecoderBuilder } from '../decoder/decoder.builder';

/** Mixtral: the base decoder as is (GQA, RoPE, top-2 of 8 SwiGLU experts, renormalised). */
export class MixtralBuilder extends DecoderBuilder {}
