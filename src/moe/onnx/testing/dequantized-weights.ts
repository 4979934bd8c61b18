import { halfToFloat } from '../../checkpoint/dtype';
import type { ExpertWeightName, GlobalWeightName, LayerWeightName, ModelWeights, Tensor } from '../../model/model-weights';
import { quantizeTensor } from '../../quantize/matrix.quantizer';
import { dequantizeMatrix } from '../../quantize/quantized-matrix';
import { float32ToFloat16 } from '../float16';
import type { WeightPlan, WeightRef } from '../decoder/weight-plan';

/**
 * The weights a quantized graph really holds, as float32: every matrix the plan quantizes is
 * quantized and dequantized, float16 matrices and a sub-16-bit embedding table are rounded to half.
 * The reference pass on these is what a quantized ONNX graph must reproduce (up to its int8
 * activations), which tests the wiring apart from the quantization error itself.
 */
export class DequantizedWeights implements ModelWeights {
  constructor(
    private readonly inner: ModelWeights,
    private readonly plan: WeightPlan,
  ) {}

  global(name: GlobalWeightName): Tensor {
    const t = this.inner.global(name);
    if (name === 'final_norm') return t;
    return this.apply(t, { kind: 'global', name });
  }

  layer(layer: number, name: LayerWeightName): Tensor {
    const t = this.inner.layer(layer, name);
    return t.shape.length === 2 ? this.apply(t, { kind: 'layer', layer, name }) : t;
  }

  hasLayer(layer: number, name: LayerWeightName): boolean {
    return this.inner.hasLayer(layer, name);
  }

  expert(layer: number, expert: number, name: ExpertWeightName): Tensor {
    return this.apply(this.inner.expert(layer, expert, name), { kind: 'expert', layer, expert, name });
  }

  close(): void {
    this.inner.close();
  }

  private apply(t: Tensor, ref: WeightRef): Tensor {
    const { bits, spec } = this.plan.precisionOf(ref, 'attention');
    if (bits === 16 || (spec && ref.kind === 'global' && ref.name === 'embed_tokens' && t.shape[1] % spec.blockSize !== 0)) return half(t);
    if (!spec) return t;
    return { shape: t.shape, data: dequantizeMatrix(quantizeTensor(t, spec)) };
  }
}

function half(t: Tensor): Tensor {
  return { shape: t.shape, data: Float32Array.from(float32ToFloat16(t.data), halfToFloat) };
}
