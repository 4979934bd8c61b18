import type { LayerKind } from '../../model/moe-config';
import type { HfConfigReader } from '../hf-config.reader';

/** Qwen2/3-MoE place MoE blocks every decoder_sparse_step layers, except those in mlp_only_layers. */
export function qwenLayerKinds(cfg: HfConfigReader, numLayers: number, numExperts: number): LayerKind[] {
  const step = cfg.positiveInt('decoder_sparse_step', 1);
  const denseOnly = new Set(cfg.intList('mlp_only_layers'));
  return Array.from({ length: numLayers }, (_, i) => (!denseOnly.has(i) && numExperts > 0 && (i + 1) % step === 0 ? 'moe' : 'dense'));
}
