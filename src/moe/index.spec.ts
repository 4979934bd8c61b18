import * as moe from './index';

describe('src/moe public entry', () => {
  it('exports exactly the documented runtime API', () => {
    expect(Object.keys(moe).sort()).toEqual(
      [
        'CheckpointError',
        'ChatTemplate',
        'GenerationError',
        'IMPORT_BITS',
        'ModelFolderError',
        'MoeError',
        'OnnxCausalLm',
        'OnnxDataType',
        'OnnxGraph',
        'attr',
        'float32Tensor',
        'int64Tensor',
        'RANDOM_ARCHITECTURES',
        'ReferenceCausalLm',
        'SessionCreateError',
        'TextGenerator',
        'Tokenizer',
        'TokenizerError',
        'UnsupportedArchitectureError',
        'benchmarkModel',
        'createBuilder',
        'createOrtSession',
        'createRandomCheckpoint',
        'dequantizeMatrix',
        'hashCheckpoint',
        'importModel',
        'measureBandwidth',
        'openCheckpoint',
        'openModel',
        'parseMoeConfig',
        'planQuantization',
        'quantizeMatrix',
        'quantizeTensor',
        'readManifest',
        'readMoeConfig',
        'supportedArchitectures',
        'writeSafetensors',
        'writeShardedSafetensors',
      ].sort(),
    );
  });
});
