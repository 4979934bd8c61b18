import type { Tensor } from '../../model/model-weights';
import { toGatherBlockQuantized, toMatMulNBits, type MatMulNBitsTensors } from '../../quantize/matmul-nbits.layout';
import { quantizeTensor } from '../../quantize/matrix.quantizer';
import { float32ToFloat16 } from '../float16';
import { attr, type OnnxGraph } from '../onnx-graph';
import { OnnxDataType } from '../onnx-proto';
import type { TensorClass, WeightPlan, WeightRef } from './weight-plan';

/** A weight as the builder hands it over: its data, its canonical address, its class. */
export interface PlannedWeight {
  tensor: Tensor;
  ref: WeightRef;
  cls: TensorClass;
}

/**
 * Emits `x · Wᵀ` for a PyTorch-layout weight [out, in] in the storage the plan gives its class:
 * float32 (MatMul on the transposed matrix), float16 storage (Cast, folded to float32 when the
 * session loads) or n-bit MatMulNBits with int8 activations (accuracy_level 4, the fast CPU kernel).
 * 3-bit codes are widened exactly to the 4-bit layout by the quantizer (no kernel takes 3 bits).
 */
export class LinearEmitter {
  constructor(
    private readonly g: OnnxGraph,
    private readonly plan: WeightPlan,
  ) {}

  matmul(x: string, w: PlannedWeight): string {
    const weight = w.tensor;
    const [out, inp] = weight.shape;
    const name = `${this.g.currentScope}/weight`;
    const { bits, spec } = this.plan.precisionOf(w.ref, w.cls);
    if (bits === 32 || bits === 16 || !spec) {
      const t = transpose(weight.data, out, inp);
      const stored =
        bits === 16
          ? this.g.op('Cast', [this.g.initializer(name, OnnxDataType.FLOAT16, [inp, out], float32ToFloat16(t))], {
              attrs: { to: attr.int(OnnxDataType.FLOAT) },
            })
          : this.g.floatWeight(name, [inp, out], t);
      return this.g.op('MatMul', [x, stored]);
    }
    return this.nbits(x, toMatMulNBits(quantizeTensor(weight, spec, name)), name);
  }

  /**
   * Row lookup of an embedding table [vocab, hidden]: float32 Gather, float16 storage cast at load, or
   * com.microsoft.GatherBlockQuantized on the quantized table (dequantizes only the rows looked up).
   * A width that is not a multiple of the group falls back to float16.
   */
  gather(ids: string, w: PlannedWeight): string {
    const table = w.tensor;
    const name = `${this.g.currentScope}/weight`;
    const { bits, spec } = this.plan.precisionOf(w.ref, w.cls);
    if (spec && table.shape[1] % spec.blockSize === 0) {
      const t = toGatherBlockQuantized(quantizeTensor(table, spec, name));
      const inputs = [
        this.g.initializer(name, OnnxDataType.UINT8, t.data.dims, t.data.data),
        ids,
        this.g.floatWeight(`${name}_scales`, t.scales.dims, t.scales.data),
      ];
      if (t.zeroPoints) inputs.push(this.g.initializer(`${name}_zp`, OnnxDataType.UINT8, t.zeroPoints.dims, t.zeroPoints.data));
      const a = t.attributes;
      return this.g.op('GatherBlockQuantized', inputs, {
        domain: 'com.microsoft',
        attrs: {
          gather_axis: attr.int(a.gather_axis),
          quantize_axis: attr.int(a.quantize_axis),
          block_size: attr.int(a.block_size),
          bits: attr.int(a.bits),
        },
      });
    }
    const stored =
      bits === 32
        ? this.g.floatWeight(name, [...table.shape], table.data)
        : this.g.op('Cast', [this.g.initializer(name, OnnxDataType.FLOAT16, [...table.shape], float32ToFloat16(table.data))], {
            attrs: { to: attr.int(OnnxDataType.FLOAT) },
          });
    return this.g.op('Gather', [stored, ids], { attrs: { axis: attr.int(0) } });
  }

  /** Whether two weights are stored alike (so they can share one kernel). */
  samePrecision(a: PlannedWeight, b: PlannedWeight): boolean {
    const pa = this.plan.precisionOf(a.ref, a.cls);
    const pb = this.plan.precisionOf(b.ref, b.cls);
    return pa.bits === pb.bits && JSON.stringify(pa.spec) === JSON.stringify(pb.spec);
  }

  /** Adds `bias` to the output of a projection. */
  addBias(y: string, bias: Tensor): string {
    return this.g.op('Add', [y, this.g.floatWeight(`${this.g.currentScope}/bias`, [bias.data.length], bias.data)]);
  }

  private nbits(x: string, t: MatMulNBitsTensors, name: string): string {
    const inputs = [
      x,
      this.g.initializer(name, OnnxDataType.UINT8, t.B.dims, t.B.data),
      this.g.floatWeight(`${name}_scales`, t.scales.dims, t.scales.data),
    ];
    if (t.zeroPoints) inputs.push(this.g.initializer(`${name}_zp`, OnnxDataType.UINT8, t.zeroPoints.dims, t.zeroPoints.data));
    const a = t.attributes;
    return this.g.op('MatMulNBits', inputs, {
      domain: 'com.microsoft',
      attrs: {
        K: attr.int(a.K),
        N: attr.int(a.N),
        bits: attr.int(a.bits),
        block_size: attr.int(a.block_size),
        accuracy_level: attr.int(a.accuracy_level),
      },
    });
  }
}

export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c];
  }
  return out;
}
