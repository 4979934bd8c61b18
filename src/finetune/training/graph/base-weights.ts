import type { ExpertWeightName, GlobalWeightName, LayerWeightName, ModelWeights, Tensor } from '../../../moe/model/model-weights';
import { attr } from '../../../moe/onnx/onnx-graph';
import { OnnxDataType } from '../../../moe/onnx/onnx-proto';
import type { TapeGraph } from '../autodiff/tape-graph';

/**
 * Which base (non-LoRA) weights the graph trains: none ('frozen', LoRA only), the routers ('router'),
 * or every weight ('full': embeddings, norms, attention, routers, experts, LM head, for pretraining).
 */
export type BaseTraining = 'frozen' | 'router' | 'full';

export type BaseWeightRef =
  | { kind: 'global'; name: GlobalWeightName }
  | { kind: 'layer'; layer: number; name: LayerWeightName }
  | { kind: 'expert'; layer: number; expert: number; name: ExpertWeightName };

/** A trained base weight as a graph input. */
export interface BaseParameter {
  /** Graph input name, e.g. `base.layers.0.router`, `base.layers.1.experts.3.down_proj`, `base.embed_tokens`. */
  name: string;
  ref: BaseWeightRef;
  /** Graph layout: matrices [in, out] (the checkpoint's [out, in] transposed), vectors and the embedding as stored. */
  dims: number[];
  transposed: boolean;
}

export function baseWeightKey(ref: BaseWeightRef): string {
  if (ref.kind === 'global') return ref.name;
  if (ref.kind === 'layer') return `layers.${ref.layer}.${ref.name}`;
  return `layers.${ref.layer}.experts.${ref.expert}.${ref.name}`;
}

function read(weights: ModelWeights, ref: BaseWeightRef): Tensor {
  if (ref.kind === 'global') return weights.global(ref.name);
  if (ref.kind === 'layer') return weights.layer(ref.layer, ref.name);
  return weights.expert(ref.layer, ref.expert, ref.name);
}

/** [rows, cols] row-major to [cols, rows]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * Hands each base weight to the graph either as a frozen initializer or, when it is trained, as a
 * graph input (recorded in `params`), in the same layout either way, so the emitters do not care.
 */
export class BaseWeights {
  readonly params: BaseParameter[] = [];
  private readonly inputs = new Map<string, string>();

  constructor(
    private readonly g: TapeGraph,
    private readonly weights: ModelWeights,
    private readonly training: BaseTraining,
    readonly tiedEmbeddings: boolean,
  ) {}

  isTrained(ref: BaseWeightRef): boolean {
    return this.training === 'full' || (this.training === 'router' && ref.kind === 'layer' && ref.name === 'router');
  }

  /** A PyTorch [out, in] matrix in [in, out] layout, for x·W. */
  matrix(ref: BaseWeightRef): string {
    return this.value(ref, true);
  }

  /** A vector (norm weight, bias) or the embedding table, as stored. */
  plain(ref: BaseWeightRef): string {
    return this.value(ref, false);
  }

  /** The LM head in [hidden, vocab]; with tied embeddings and full training, the embedding input transposed. */
  lmHead(): string {
    if (this.tiedEmbeddings && this.isTrained({ kind: 'global', name: 'embed_tokens' })) {
      return this.g.op('Transpose', [this.plain({ kind: 'global', name: 'embed_tokens' })], { attrs: { perm: attr.ints([1, 0]) } });
    }
    return this.matrix({ kind: 'global', name: 'lm_head' });
  }

  private value(ref: BaseWeightRef, transposed: boolean): string {
    const key = baseWeightKey(ref);
    const known = this.inputs.get(key);
    if (known) return known;
    const t = read(this.weights, ref);
    const dims = transposed ? [t.shape[1], t.shape[0]] : [...t.shape];
    let name: string;
    if (this.isTrained(ref)) {
      name = this.g.input(`base.${key}`, OnnxDataType.FLOAT, dims);
      this.params.push({ name, ref, dims, transposed });
    } else {
      name = this.g.floatWeight(`/frozen/${key}`, dims, transposed ? transpose2d(t.data, t.shape[0], t.shape[1]) : t.data);
    }
    this.inputs.set(key, name);
    return name;
  }
}

/** Starting values of trained base weights, in graph layout, read from the checkpoint. */
export function baseParameterValues(weights: ModelWeights, params: readonly BaseParameter[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const p of params) {
    const t = read(weights, p.ref);
    out.set(p.name, p.transposed ? transpose2d(t.data, t.shape[0], t.shape[1]) : Float32Array.from(t.data));
  }
  return out;
}

/** A trained value back in the checkpoint's layout ([out, in] for matrices). */
export function baseParameterTensor(p: BaseParameter, value: Float32Array): Tensor {
  if (!p.transposed) return { shape: p.dims, data: value };
  const [inDim, outDim] = p.dims;
  return { shape: [outDim, inDim], data: transpose2d(value, inDim, outDim) };
}
