import { DecoderBuilder } from '../decoder/decoder.builder';

/**
 * DeepSeek-MoE / V2 without MLA (the importer refuses MLA checkpoints): leading dense layers
 * (first_k_dense_replace), ungated shared experts and a routed scaling factor, all config-driven.
 */
export class DeepseekV2Builder extends DecoderBuilder {}
