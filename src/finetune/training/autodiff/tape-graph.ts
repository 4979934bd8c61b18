import { OnnxGraph, type Attribute, type Dim, type NodeOptions } from '../../../moe/onnx/onnx-graph';
import type { OnnxDataType } from '../../../moe/onnx/onnx-proto';
import { inferRank } from './rank-inference';

/** One forward node as the backward pass sees it. */
export interface TapeNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, Attribute>>;
}

/**
 * An OnnxGraph that also keeps the nodes it emits, in order, so a reverse-mode pass can walk them
 * back. Every emitter written against OnnxGraph (src/moe's norm and attention emitters included)
 * records onto the tape unchanged, because they all go through node().
 *
 * It also infers static ranks (not shapes: batch and sequence stay dynamic), which is what rules like
 * MatMul's need to pick a transpose; a rank it cannot infer stays unknown.
 */
export class TapeGraph extends OnnxGraph {
  private readonly tapeNodes: TapeNode[] = [];
  private readonly ranks = new Map<string, number>();
  /** Lengths of 1-D int64 values (shape vectors, axes), so Reshape and Unsqueeze ranks follow. */
  private readonly lengths = new Map<string, number>();

  override input(name: string, dataType: OnnxDataType, shape: readonly Dim[]): string {
    this.ranks.set(name, shape.length);
    if (shape.length === 1 && typeof shape[0] === 'number') this.lengths.set(name, shape[0]);
    return super.input(name, dataType, shape);
  }

  override initializer(name: string, dataType: OnnxDataType, dims: readonly number[], data: ArrayBufferView): string {
    this.ranks.set(name, dims.length);
    if (dims.length === 1) this.lengths.set(name, dims[0]);
    return super.initializer(name, dataType, dims, data);
  }

  override node(opType: string, inputs: readonly string[], options: NodeOptions = {}): string[] {
    const outputs = super.node(opType, inputs, options);
    const name = outputs.find((o) => o !== '')?.replace(/\/output_\d+$/, '') ?? `${this.currentScope}/${opType}`;
    const node: TapeNode = { name, opType, domain: options.domain ?? '', inputs: [...inputs], outputs, attrs: options.attrs ?? {} };
    this.tapeNodes.push(node);
    const inferred = inferRank(node, (v) => this.ranks.get(v), (v) => this.lengths.get(v));
    outputs.forEach((o, i) => {
      if (o && inferred.ranks[i] !== undefined) this.ranks.set(o, inferred.ranks[i]!);
      if (o && i === 0 && inferred.length !== undefined) this.lengths.set(o, inferred.length);
    });
    return outputs;
  }

  /** The nodes emitted so far (forward and backward alike), in emission order. */
  get tape(): readonly TapeNode[] {
    return this.tapeNodes;
  }

  rankOf(value: string): number | undefined {
    return this.ranks.get(value);
  }
}
