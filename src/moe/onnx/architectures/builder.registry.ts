import type { ModelWeights } from '../../model/model-weights';
import type { MoeArchitecture, MoeConfig } from '../../model/moe-config';
import { UnsupportedArchitectureError } from '../../moe.errors';
import type { DecoderBuilder, DecoderBuildOptions } from '../decoder/decoder.builder';
import { DeepseekV2Builder } from './deepseek-v2.builder';
import { MixtralBuilder } from './mixtral.builder';
import { OlmoeBuilder } from './olmoe.builder';
import { Qwen2MoeBuilder } from './qwen2-moe.builder';
import { Qwen3MoeBuilder } from './qwen3-moe.builder';

type BuilderClass = new (config: MoeConfig, weights: ModelWeights, options?: DecoderBuildOptions) => DecoderBuilder;

/** One row per architecture: adding one is a subclass and a line here. */
export const BUILDERS: ReadonlyMap<MoeArchitecture, BuilderClass> = new Map<MoeArchitecture, BuilderClass>([
  ['mixtral', MixtralBuilder],
  ['qwen2_moe', Qwen2MoeBuilder],
  ['qwen3_moe', Qwen3MoeBuilder],
  ['olmoe', OlmoeBuilder],
  ['deepseek_v2', DeepseekV2Builder],
]);

export function createBuilder(config: MoeConfig, weights: ModelWeights, options?: DecoderBuildOptions): DecoderBuilder {
  const Builder = BUILDERS.get(config.architecture);
  if (!Builder) {
    throw new UnsupportedArchitectureError(
      `no ONNX builder for architecture '${config.architecture}' (supported: ${[...BUILDERS.keys()].join(', ')})`,
    );
  }
  return new Builder(config, weights, options);
}
