import type { MoeConfig } from '../model/moe-config';
import { modelTensors } from '../quantize/model-tensors';
import type { QuantizationPlan } from '../quantize/quantization-plan';

export interface WeightAccounting {
  bitsPerClass: Record<string, number>;
  averageBits: number;
  decodeBytesPerToken: number;
}

/**
 * Bits per class and the bytes a decoded token reads, as the graph really holds the weights:
 * float16 storage is widened to float32 when the session loads (so it reads 4 bytes a weight), and
 * a quantized embedding whose width is not a multiple of the group is stored at float16 instead.
 * A token reads every dense weight, its top-k experts' weights, and one embedding row.
 */
export function accountWeights(config: MoeConfig, bits: number, plan: QuantizationPlan | null): WeightAccounting {
  const { numExperts, topK } = config.moe;
  const perClass = new Map<string, { params: number; bits: number }>();
  let params = 0;
  let sumBits = 0;
  let decode = 0;
  const tensors = plan ? plan.tensors : modelTensors(config).map((t) => ({ ...t, bits, loadedBytes: t.numel * 4, spec: null }));
  for (const t of tensors) {
    let storedBits: number = t.shape.length === 2 ? t.bits : 32;
    let loaded = t.shape.length === 2 && storedBits <= 8 ? t.loadedBytes : t.numel * 4;
    if (t.cls === 'embedding' && storedBits < 16 && t.shape[1] % (t.spec?.blockSize ?? 1) !== 0) {
      storedBits = 16;
      loaded = t.numel * 4;
    }
    if (t.ref.kind === 'expert') decode += (loaded * topK) / numExperts;
    else if (t.cls === 'embedding') decode += loaded / config.vocabSize;
    else decode += loaded;
    params += t.numel;
    sumBits += t.numel * storedBits;
    const c = perClass.get(t.cls) ?? { params: 0, bits: 0 };
    c.bits += t.numel * storedBits;
    c.params += t.numel;
    perClass.set(t.cls, c);
  }
  const bitsPerClass: Record<string, number> = {};
  for (const [cls, c] of perClass) bitsPerClass[cls] = Math.round((c.bits / c.params) * 1000) / 1000;
  return { bitsPerClass, averageBits: sumBits / params, decodeBytesPerToken: Math.round(decode) };
}
