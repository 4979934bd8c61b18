import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listCheckpointFolders } from './model-paths';

describe('listCheckpointFolders', () => {
  let root: string;
  const write = (rel: string, content = 'x') => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-ckpt-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists folders with config.json and safetensors, two levels deep, with model type and size', () => {
    write('mixtral/config.json', JSON.stringify({ model_type: 'mixtral' }));
    write('mixtral/model.safetensors', '12345');
    write('team/qwen/config.json', JSON.stringify({ model_type: 'qwen2_moe' }));
    write('team/qwen/model-00001-of-00002.safetensors');
    write('onnx-only/model.onnx');
    write('onnx-only/config.json', '{}');
    write('no-config/model.safetensors');
    write('a/b/c/config.json', '{}');
    write('a/b/c/model.safetensors');
    write('broken/config.json', '{not json');
    write('broken/model.safetensors');
    expect(listCheckpointFolders(root)).toEqual([
      { path: 'broken', modelType: null, sizeBytes: 10 },
      { path: 'mixtral', modelType: 'mixtral', sizeBytes: 5 + JSON.stringify({ model_type: 'mixtral' }).length },
      { path: path.join('team', 'qwen'), modelType: 'qwen2_moe', sizeBytes: 1 + JSON.stringify({ model_type: 'qwen2_moe' }).length },
    ]);
  });

  it('an empty models directory lists nothing', () => {
    expect(listCheckpointFolders(root)).toEqual([]);
  });
});
