import * as protobuf from 'protobufjs';
import type { GatherBlockQuantizedTensors, MatMulNBitsTensors } from './matmul-nbits.layout';

/**
 * Test fixtures: one-node ONNX models (MatMulNBits, GatherBlockQuantized), written with
 * protobufjs from the few onnx.proto messages they need (field numbers from onnx/onnx.proto3), so the
 * layout tests do not depend on the graph builder.
 */
const PROTO = `
syntax = "proto3";
package onnx;
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message Dim { int64 dim_value = 1; string dim_param = 2; }
message TensorShapeProto { repeated Dim dim = 1; }
message TensorTypeProto { int32 elem_type = 1; TensorShapeProto shape = 2; }
message TypeProto { TensorTypeProto tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message AttributeProto { string name = 1; float f = 2; int64 i = 3; bytes s = 4; int32 type = 20; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4;
  repeated AttributeProto attribute = 5; string domain = 7;
}
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message ModelProto {
  int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8;
}
`;

export const FLOAT = 1;
export const UINT8 = 2;
const INT64 = 7;
const ATTR_INT = 2;

let modelType: protobuf.Type | null = null;

/** onnx.ModelProto from the subset above, parsed once. */
export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.parse(PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

export function bytesOf(a: Float32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A graph input or output of a fixed shape (FLOAT unless told). */
export function valueInfo(name: string, dims: readonly number[], elemType = FLOAT): object {
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => ({ dim_value: d })) } } } };
}

/** An initializer holding the raw bytes of `data`. */
export function initializer(name: string, dims: readonly number[], dataType: number, data: Float32Array | Uint8Array): object {
  return { name, dims, data_type: dataType, raw_data: bytesOf(data) };
}

/** Wraps nodes and initializers in an opset-21 + com.microsoft model, checks it against the schema and encodes it. */
export function encodeModel(graph: { name: string; node: object[]; initializer: object[]; input: object[]; output: object[] }): Uint8Array {
  const Model = onnxModelType();
  const model = {
    ir_version: 10,
    producer_name: 'zhiku-quantize-test',
    opset_import: [
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph,
  };
  const err = Model.verify(model);
  if (err) throw new Error(`fixture model invalid: ${err}`);
  return Model.encode(Model.fromObject(model)).finish();
}

const intAttributes = (attrs: Record<string, number>) => Object.entries(attrs).map(([name, i]) => ({ name, i, type: ATTR_INT }));

export interface MatMulNBitsModelOptions {
  /** Override the scales' dims (e.g. [N, blocks]) to probe what the runtime accepts. */
  scalesDims?: number[];
  /** Override the bits attribute (e.g. 3, to confirm the runtime refuses it). */
  bitsAttr?: number;
}

export function matMulNBitsModel(m: number, t: MatMulNBitsTensors, options: MatMulNBitsModelOptions = {}): Uint8Array {
  const a = t.attributes;
  const attrs = { ...a, bits: options.bitsAttr ?? a.bits };
  const inputs = ['A', 'B', 'scales'];
  const inits = [initializer('B', t.B.dims, UINT8, t.B.data), initializer('scales', options.scalesDims ?? t.scales.dims, FLOAT, t.scales.data)];
  if (t.zeroPoints) {
    inputs.push('zero_points');
    inits.push(initializer('zero_points', t.zeroPoints.dims, UINT8, t.zeroPoints.data));
  }
  return encodeModel({
    name: 'matmul_nbits',
    node: [{ name: 'mm', op_type: 'MatMulNBits', domain: 'com.microsoft', input: inputs, output: ['Y'], attribute: intAttributes(attrs) }],
    initializer: inits,
    input: [valueInfo('A', [m, a.K])],
    output: [valueInfo('Y', [m, a.N])],
  });
}

/** A one-node `Y = GatherBlockQuantized(data, indices, scales[, zero_points])` model: an embedding lookup. */
export function gatherBlockQuantizedModel(t: GatherBlockQuantizedTensors, numIndices: number, width: number): Uint8Array {
  const inputs = ['data', 'indices', 'scales'];
  const inits = [initializer('data', t.data.dims, UINT8, t.data.data), initializer('scales', t.scales.dims, FLOAT, t.scales.data)];
  if (t.zeroPoints) {
    inputs.push('zero_points');
    inits.push(initializer('zero_points', t.zeroPoints.dims, UINT8, t.zeroPoints.data));
  }
  return encodeModel({
    name: 'gather_block_quantized',
    node: [{ name: 'gather', op_type: 'GatherBlockQuantized', domain: 'com.microsoft', input: inputs, output: ['Y'], attribute: intAttributes(t.attributes) }],
    initializer: inits,
    input: [valueInfo('indices', [numIndices], INT64)],
    output: [valueInfo('Y', [numIndices, width])],
  });
}

/**
 * A chain `Y = MatMulNBits_L(... MatMulNBits_1(A))` of square [K, K] nodes with distinct weights, so
 * that the weights stream from memory as a decoded token's do, rather than staying in cache.
 */
export function matMulNBitsChainModel(m: number, layers: readonly MatMulNBitsTensors[]): Uint8Array {
  const k = layers[0].attributes.K;
  const node: object[] = [];
  const inits: object[] = [];
  let x = 'A';
  layers.forEach((t, i) => {
    if (t.attributes.K !== k || t.attributes.N !== k) throw new Error('chain layers must be square [K, K]');
    const inputs = [x, `B${i}`, `scales${i}`];
    inits.push(initializer(`B${i}`, t.B.dims, UINT8, t.B.data), initializer(`scales${i}`, t.scales.dims, FLOAT, t.scales.data));
    if (t.zeroPoints) {
      inputs.push(`zp${i}`);
      inits.push(initializer(`zp${i}`, t.zeroPoints.dims, UINT8, t.zeroPoints.data));
    }
    const y = i === layers.length - 1 ? 'Y' : `h${i}`;
    node.push({ name: `mm${i}`, op_type: 'MatMulNBits', domain: 'com.microsoft', input: inputs, output: [y], attribute: intAttributes(t.attributes) });
    x = y;
  });
  return encodeModel({ name: 'matmul_nbits_chain', node, initializer: inits, input: [valueInfo('A', [m, k])], output: [valueInfo('Y', [m, k])] });
}
