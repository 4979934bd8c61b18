import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExternalDataWriter } from './external-data.writer';
import { attr, OnnxGraph } from './onnx-graph';
import { AttributeType, modelProtoType, OnnxDataType } from './onnx-proto';

interface DecodedModel {
  graph: {
    node: Array<{ name: string; op_type: string; output: string[]; attribute: Array<{ name: string; type: number; f?: number; i?: unknown }> }>;
    initializer: Array<{ name: string; data_location?: number; external_data?: Array<{ key: string; value: string }>; raw_data?: Uint8Array }>;
  };
  opset_import: Array<{ domain: string; version: unknown }>;
}

function build(dir: string): Uint8Array {
  const writer = new ExternalDataWriter(path.join(dir, 'model.onnx.data'));
  const g = new OnnxGraph(writer);
  g.useDomain('com.microsoft', 1);
  const x = g.input('x', OnnxDataType.FLOAT, ['n', 512]);
  const y = g.scope('model', () =>
    g.scope('layers.3', () => {
      const w = g.floatWeight('/model/layers.3/w', [512], new Float32Array(512).fill(0.5));
      const a = g.op('Mul', [x, w]);
      return g.op('LeakyRelu', [g.op('Mul', [a, w])], { attrs: { alpha: attr.float(1) } });
    }),
  );
  g.alias(y, 'y');
  g.output('y', OnnxDataType.FLOAT, ['n', 512]);
  writer.close();
  return g.toBytes('t');
}

describe('OnnxGraph', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-graph-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names nodes by scope, writes FLOAT attributes as FLOAT and large weights as external data', () => {
    const model = modelProtoType().toObject(modelProtoType().decode(build(dir)), { longs: Number }) as unknown as DecodedModel;
    const names = model.graph.node.map((n) => n.name);
    expect(names).toEqual(['/model/layers.3/Mul', '/model/layers.3/Mul_1', '/model/layers.3/LeakyRelu', '/output/y']);
    const alpha = model.graph.node[2].attribute[0];
    expect(alpha).toMatchObject({ name: 'alpha', type: AttributeType.FLOAT, f: 1 });
    const w = model.graph.initializer.find((t) => t.name === '/model/layers.3/w')!;
    expect(w.data_location).toBe(1);
    expect(Object.fromEntries(w.external_data!.map((e) => [e.key, e.value]))).toEqual({
      location: 'model.onnx.data',
      offset: '0',
      length: '2048',
    });
    expect(fs.statSync(path.join(dir, 'model.onnx.data')).size).toBe(2048);
    expect(model.opset_import.map((o) => ({ domain: o.domain ?? '', version: o.version }))).toEqual([
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ]);
  });

  it('builds byte-identical models from the same input', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-graph-'));
    try {
      expect(Buffer.from(build(dir)).equals(Buffer.from(build(other)))).toBe(true);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('refuses a duplicate initializer and data that does not match its dims', () => {
    const g = new OnnxGraph(null);
    g.floatWeight('w', [2], new Float32Array(2));
    expect(() => g.floatWeight('w', [2], new Float32Array(2))).toThrow(/defined twice/);
    expect(() => g.floatWeight('v', [3], new Float32Array(2))).toThrow(/8 bytes for dims \[3\]/);
  });
});
