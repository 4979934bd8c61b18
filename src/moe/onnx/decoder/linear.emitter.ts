import type { Tensor } from '../../model/model-weights';
import { MoeError } from '../../moe.errors';
import { float32ToFloat16 } from '../float16';
import { attr, type OnnxGraph } from '../onnx-graph';
import { OnnxDataType } from '../onnx-proto';
import { bitsOf, type TensorClass, type WeightPlan } from './weight-plan';

/** A matrix packed for com.microsoft.MatMulNBits: B [n, k/block, block*bits/8], scales [n*k/block]. */
export interface NBitsMatrix {
  bits: 2 | 4 | 8;
  blockSize: number;
  n: number;
  k: number;
  packed: Uint8Array;
  scales: Float32Array;
  /** Packed like ONNX Runtime expects ([n, ceil(blocks*bits/8)]), or null for symmetric. */
  zeroPoints: Uint8Array | null;
}

/** Quantizes an [out, in] float32 matrix for MatMulNBits (provided by src/moe/quantize). */
export type MatrixQuantizer = (weight: Tensor, bits: 2 | 4 | 8, group: number, symmetric: boolean) => NBitsMatrix;

/**
 * Emits `x · Wᵀ` for a PyTorch-layout weight [out, in] in the storage the plan gives its class:
 * float32 (MatMul on the transposed matrix), float16 storage (Cast, folded to float32 when the
 * session loads) or n-bit MatMulNBits with int8 activations (accuracy_level 4, the fast CPU kernel).
 */
export class LinearEmitter {
  constructor(
    private readonly g: OnnxGraph,
    private readonly plan: WeightPlan,
    private readonly quantizer: MatrixQuantizer | null,
  ) {}

  matmul(x: string, weight: Tensor, cls: TensorClass): string {
    const [out, inp] = weight.shape;
    const name = `${this.g.currentScope}/weight`;
    const bits = bitsOf(this.plan, cls);
    if (bits === 32 || bits === 16) {
      const t = transpose(weight.data, out, inp);
      const w =
        bits === 32
          ? this.g.floatWeight(name, [inp, out], t)
          : this.g.op('Cast', [this.g.initializer(name, OnnxDataType.FLOAT16, [inp, out], float32ToFloat16(t))], {
              attrs: { to: attr.int(OnnxDataType.FLOAT) },
            });
      return this.g.op('MatMul', [x, w]);
    }
    if (bits === 3) {
      throw new MoeError(`3-bit ${cls} weights have no ONNX Runtime kernel; use a mixed 2/4/8-bit recipe for ~3 bits a weight`);
    }
    if (!this.quantizer) throw new MoeError(`a ${bits}-bit plan needs a quantizer; none was given to the builder`);
    const q = this.quantizer(weight, bits, this.plan.group, this.plan.symmetric);
    return this.nbits(x, q, name);
  }

  /** Adds `bias` to the output of a projection. */
  addBias(y: string, bias: Tensor): string {
    return this.g.op('Add', [y, this.g.floatWeight(`${this.g.currentScope}/bias`, [bias.data.length], bias.data)]);
  }

  private nbits(x: string, q: NBitsMatrix, name: string): string {
    const blocks = Math.ceil(q.k / q.blockSize);
    const blob = (q.blockSize * q.bits) / 8;
    const inputs = [
      x,
      this.g.initializer(name, OnnxDataType.UINT8, [q.n, blocks, blob], q.packed),
      this.g.floatWeight(`${name}_scales`, [q.n * blocks], q.scales),
    ];
    if (q.zeroPoints) inputs.push(this.g.initializer(`${name}_zp`, OnnxDataType.UINT8, [q.zeroPoints.length], q.zeroPoints));
    return this.g.op('MatMulNBits', inputs, {
      domain: 'com.microsoft',
      attrs: {
        K: attr.int(q.k),
        N: attr.int(q.n),
        bits: attr.int(q.bits),
        block_size: attr.int(q.blockSize),
        accuracy_level: attr.int(4),
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
