import { AttributeType, OnnxDataType, modelProtoType } from './onnx-proto';
import type { ExternalDataWriter } from './external-data.writer';

/** An attribute value with its ONNX type spelled out (ONNX Runtime rejects an INT where a FLOAT is due). */
export type Attribute =
  | { type: AttributeType.FLOAT; f: number }
  | { type: AttributeType.INT; i: number }
  | { type: AttributeType.STRING; s: string }
  | { type: AttributeType.INTS; ints: readonly number[] }
  | { type: AttributeType.FLOATS; floats: readonly number[] };

export const attr = {
  float: (f: number): Attribute => ({ type: AttributeType.FLOAT, f }),
  int: (i: number): Attribute => ({ type: AttributeType.INT, i }),
  str: (s: string): Attribute => ({ type: AttributeType.STRING, s }),
  ints: (ints: readonly number[]): Attribute => ({ type: AttributeType.INTS, ints }),
  floats: (floats: readonly number[]): Attribute => ({ type: AttributeType.FLOATS, floats }),
};

export type Dim = number | string;

export interface NodeOptions {
  attrs?: Record<string, Attribute>;
  domain?: string;
  /** Number of outputs (default 1); empty trailing optional outputs are simply not named. */
  outputs?: number;
  /** Output positions left unnamed (optional outputs the graph does not use). */
  omitOutputs?: readonly number[];
}

interface ValueInfo {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: Array<{ dim_value?: number; dim_param?: string }> } } };
}

/** Tensors below this size stay inside model.onnx; larger ones go to the external data file. */
const INLINE_LIMIT_BYTES = 1024;

const BYTES_PER_ELEMENT: Partial<Record<OnnxDataType, number>> = {
  [OnnxDataType.FLOAT]: 4,
  [OnnxDataType.UINT8]: 1,
  [OnnxDataType.INT8]: 1,
  [OnnxDataType.INT32]: 4,
  [OnnxDataType.INT64]: 8,
  [OnnxDataType.BOOL]: 1,
  [OnnxDataType.FLOAT16]: 2,
};

/**
 * A small ONNX graph-building layer: inputs, outputs, initializers and nodes with hierarchical,
 * deterministic names. Node names come from a scope stack (`/model/layers.3/moe/experts.5/down`)
 * plus the op type; a node's outputs are named after the node, so a graph built twice from the same
 * weights is byte-identical.
 */
export class OnnxGraph {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly scopes: string[] = [];
  private readonly usedNames = new Map<string, number>();
  private readonly constants = new Map<string, string>();
  private readonly opsets = new Map<string, number>();
  private readonly initializerNames = new Set<string>();

  constructor(
    private readonly external: ExternalDataWriter | null,
    opset = 21,
  ) {
    this.opsets.set('', opset);
  }

  useDomain(domain: string, version: number): void {
    this.opsets.set(domain, version);
  }

  /** Runs `body` with `name` appended to the node-name scope. */
  scope<T>(name: string, body: () => T): T {
    this.scopes.push(name);
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  get currentScope(): string {
    return '/' + this.scopes.join('/');
  }

  input(name: string, dataType: OnnxDataType, shape: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, dataType, shape));
    return name;
  }

  output(name: string, dataType: OnnxDataType, shape: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, dataType, shape));
  }

  /** Adds an initializer; `name` is used verbatim, so callers pass a hierarchical weight name. */
  initializer(name: string, dataType: OnnxDataType, dims: readonly number[], data: ArrayBufferView): string {
    if (this.initializerNames.has(name)) throw new Error(`initializer ${name} is defined twice`);
    this.initializerNames.add(name);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const elements = dims.reduce((a, b) => a * b, 1);
    const width = BYTES_PER_ELEMENT[dataType];
    if (width !== undefined && elements * width !== bytes.byteLength) {
      throw new Error(`initializer ${name}: ${bytes.byteLength} bytes for dims [${dims.join(',')}]`);
    }
    const tensor: Record<string, unknown> = { name, data_type: dataType, dims: [...dims] };
    if (this.external && bytes.byteLength > INLINE_LIMIT_BYTES) {
      const at = this.external.write(bytes);
      tensor.data_location = 1;
      tensor.external_data = [
        { key: 'location', value: at.location },
        { key: 'offset', value: String(at.offset) },
        { key: 'length', value: String(at.length) },
      ];
    } else {
      tensor.raw_data = Buffer.from(bytes);
    }
    this.initializers.push(tensor);
    return name;
  }

  /** A float32 initializer from a Float32Array. */
  floatWeight(name: string, dims: readonly number[], data: Float32Array): string {
    return this.initializer(name, OnnxDataType.FLOAT, dims, data);
  }

  /** A small int64 constant, shared by every node that asks for the same values. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    return this.constant(key, () =>
      this.initializer(`/const/i64_${this.constants.size}`, OnnxDataType.INT64, dims, BigInt64Array.from(values.map(BigInt))),
    );
  }

  /** A small float32 constant (a scalar when dims is []). */
  float32(values: readonly number[], dims: readonly number[] = []): string {
    const key = `f32:${dims.join('x')}:${values.join(',')}`;
    return this.constant(key, () =>
      this.initializer(`/const/f32_${this.constants.size}`, OnnxDataType.FLOAT, dims, Float32Array.from(values)),
    );
  }

  /**
   * Emits one node named `<scope>/<opType>` (suffixed `_N` on repeats) and returns its output names.
   * An input of '' marks an omitted optional input.
   */
  node(opType: string, inputs: readonly string[], options: NodeOptions = {}): string[] {
    const base = `${this.currentScope === '/' ? '' : this.currentScope}/${opType}`;
    const seen = this.usedNames.get(base) ?? 0;
    this.usedNames.set(base, seen + 1);
    const name = seen === 0 ? base : `${base}_${seen}`;
    const outputs = Array.from({ length: options.outputs ?? 1 }, (_, i) =>
      options.omitOutputs?.includes(i) ? '' : `${name}/output_${i}`,
    );
    this.nodes.push({
      name,
      op_type: opType,
      domain: options.domain ?? '',
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(options.attrs ?? {}).map(([attrName, value]) => encodeAttribute(attrName, value)),
    });
    return outputs;
  }

  /** Convenience for single-output nodes. */
  op(opType: string, inputs: readonly string[], options: Omit<NodeOptions, 'outputs'> = {}): string {
    return this.node(opType, inputs, options)[0];
  }

  /** Renames a value to a graph output name through an Identity node. */
  alias(value: string, outputName: string): void {
    this.nodes.push({ name: `/output/${outputName}`, op_type: 'Identity', domain: '', input: [value], output: [outputName], attribute: [] });
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Op types with their counts, for tests and diagnostics. */
  opCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const n of this.nodes as Array<{ op_type: string }>) counts.set(n.op_type, (counts.get(n.op_type) ?? 0) + 1);
    return counts;
  }

  /** Serialises the ModelProto (initializers already written to the external file stay there). */
  toBytes(graphName: string, metadata: Record<string, string> = {}): Uint8Array {
    const type = modelProtoType();
    const opsetImport = [...this.opsets].map(([domain, version]) => ({ domain, version }));
    const message = type.fromObject({
      ir_version: irVersionFor(this.opsets.get('') ?? 21),
      producer_name: 'zhiku',
      producer_version: '0.1.0',
      opset_import: opsetImport,
      metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return type.encode(message).finish();
  }

  private constant(key: string, make: () => string): string {
    const found = this.constants.get(key);
    if (found) return found;
    const name = make();
    this.constants.set(key, name);
    return name;
  }
}

function irVersionFor(opset: number): number {
  if (opset >= 25) return 13;
  if (opset >= 23) return 11;
  return 10;
}

function valueInfo(name: string, dataType: OnnxDataType, shape: readonly Dim[]): ValueInfo {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: dataType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

function encodeAttribute(name: string, value: Attribute): object {
  switch (value.type) {
    case AttributeType.FLOAT:
      return { name, type: value.type, f: value.f };
    case AttributeType.INT:
      return { name, type: value.type, i: value.i };
    case AttributeType.STRING:
      return { name, type: value.type, s: Buffer.from(value.s, 'utf8') };
    case AttributeType.INTS:
      return { name, type: value.type, ints: [...value.ints] };
    case AttributeType.FLOATS:
      return { name, type: value.type, floats: [...value.floats] };
  }
}
