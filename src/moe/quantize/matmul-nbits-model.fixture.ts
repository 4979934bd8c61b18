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

const FLOAT = 1;
const UINT8 = 2;
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

export interface MatMulNBitsModelOptions {
  /** Override the scales' dims (e.g. [N, blocks]) to probe what the runtime accepts. */
  scalesDims?: number[];
  /** Override the bits attribute (e.g. 3, to confirm the runtime refuses it). */
  bitsAttr?: number;
}

export function matMulNBitsModel(m: number, t: MatMulNBitsTensors, options: MatMulNBitsModelOptions = {}): Uint8Array {
  const Model = onnxModelType();
  const a = t.attributes;
  const attrs = { ...a, bits: options.bitsAttr ?? a.bits };
  const inputs = ['A', 'B', 'scales'];
  const initializer = [
    { name: 'B', dims: t.B.dims, data_type: UINT8, raw_data: bytesOf(t.B.data) },
    { name: 'scales', dims: options.scalesDims ?? t.scales.dims, data_type: FLOAT, raw_data: bytesOf(t.scales.data) },
  ];
  if (t.zeroPoints) {
    inputs.push('zero_points');
    initializer.push({ name: 'zero_points', dims: t.zeroPoints.dims, data_type: UINT8, raw_data: t.zeroPoints.data });
  }
  const valueInfo = (name: string, dims: number[]) => ({
    name,
    type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } },
  });
  const model = {
    ir_version: 10,
    producer_name: 'zhiku-quantize-test',
    opset_import: [
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'matmul_nbits',
      node: [
        {
          name: 'mm',
          op_type: 'MatMulNBits',
          domain: 'com.microsoft',
          input: inputs,
          output: ['Y'],
          attribute: Object.entries(attrs).map(([name, i]) => ({ name, i, type: ATTR_INT })),
        },
      ],
      initializer,
      input: [valueInfo('A', [m, a.K])],
      output: [valueInfo('Y', [m, a.N])],
    },
  };
  const err = Model.verify(model);
  if (err) throw new Error(`fixture model invalid: ${err}`);
  return Model.encode(Model.fromObject(model)).finish();
}

/** A one-node `Y = GatherBlockQuantized(data, indices, scales[, zero_points])` model: an embedding lookup. */
export function gatherBlockQuantizedModel(t: GatherBlockQuantizedTensors, numIndices: number, width: number): Uint8Array {
  const Model = onnxModelType();
  const inputs = ['data', 'indices', 'scales'];
  const initializer = [
    { name: 'data', dims: t.data.dims, data_type: UINT8, raw_data: t.data.data },
    { name: 'scales', dims: t.scales.dims, data_type: FLOAT, raw_data: bytesOf(t.scales.data) },
  ];
  if (t.zeroPoints) {
    inputs.push('zero_points');
    initializer.push({ name: 'zero_points', dims: t.zeroPoints.dims, data_type: UINT8, raw_data: t.zeroPoints.data });
  }
  const model = {
    ir_version: 10,
    producer_name: 'zhiku-quantize-test',
    opset_import: [
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'gather_block_quantized',
      node: [
        {
          name: 'gather',
          op_type: 'GatherBlockQuantized',
          domain: 'com.microsoft',
          input: inputs,
          output: ['Y'],
          attribute: Object.entries(t.attributes).map(([name, i]) => ({ name, i, type: ATTR_INT })),
        },
      ],
      initializer,
      input: [{ name: 'indices', type: { tensor_type: { elem_type: INT64, shape: { dim: [{ dim_value: numIndices }] } } } }],
      output: [
        { name: 'Y', type: { tensor_type: { elem_type: FLOAT, shape: { dim: [{ dim_value: numIndices }, { dim_value: width }] } } } },
      ],
    },
  };
  const err = Model.verify(model);
  if (err) throw new Error(`fixture model invalid: ${err}`);
  return Model.encode(Model.fromObject(model)).finish();
}

/**
 * A chain `Y = MatMulNBits_L(... MatMulNBits_1(A))` of square [K, K] nodes with distinct weights, so
 * that the weights stream from memory as a decoded token's do, rather than staying in cache.
 */
export function matMulNBitsChainModel(m: number, layers: readonly MatMulNBitsTensors[]): Uint8Array {
  const Model = onnxModelType();
  const k = layers[0].attributes.K;
  const node: object[] = [];
  const initializer: object[] = [];
  let x = 'A';
  layers.forEach((t, i) => {
    if (t.attributes.K !== k || t.attributes.N !== k) throw new Error('chain layers must be square [K, K]');
    const inputs = [x, `B${i}`, `scales${i}`];
    initializer.push({ name: `B${i}`, dims: t.B.dims, data_type: UINT8, raw_data: t.B.data });
    initializer.push({ name: `scales${i}`, dims: t.scales.dims, data_type: FLOAT, raw_data: bytesOf(t.scales.data) });
    if (t.zeroPoints) {
      inputs.push(`zp${i}`);
      initializer.push({ name: `zp${i}`, dims: t.zeroPoints.dims, data_type: UINT8, raw_data: t.zeroPoints.data });
    }
    const y = i === layers.length - 1 ? 'Y' : `h${i}`;
    node.push({
      name: `mm${i}`,
      op_type: 'MatMulNBits',
      domain: 'com.microsoft',
      input: inputs,
      output: [y],
      attribute: Object.entries(t.attributes).map(([name, v]) => ({ name, i: v, type: ATTR_INT })),
    });
    x = y;
  });
  const dims = { dim: [{ dim_value: m }, { dim_value: k }] };
  const model = {
    ir_version: 10,
    producer_name: 'zhiku-quantize-bench',
    opset_import: [
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'matmul_nbits_chain',
      node,
      initializer,
      input: [{ name: 'A', type: { tensor_type: { elem_type: FLOAT, shape: dims } } }],
      output: [{ name: 'Y', type: { tensor_type: { elem_type: FLOAT, shape: dims } } }],
    },
  };
  return Model.encode(Model.fromObject(model)).finish();
}
