import * as training from './index';

describe('finetune/training public entry', () => {
  it('exports exactly this runtime surface', () => {
    expect(Object.keys(training).sort()).toEqual(
      [
        'AdamWOptimizer', 'IGNORE_INDEX', 'LORA_TARGETS', 'LoraStepRunner', 'LoraTrainer', 'NoGradientRuleError', 'TapeGraph',
        'TfjsLoraReference', 'TrainingError', 'TrainingOptionsError', 'UnsupportedGradientError', 'buildBackward',
        'buildLoraTrainingGraph', 'clipByGlobalNorm', 'cosineLr', 'initLoraParameters', 'loraParameters', 'seededRandom',
        'supportedGradientOps', 'validateLoraOptions', 'buildTrainingGraph', 'DEFAULT_ROUTER_AUX_LOSS_COEF', 'baseParameterValues',
        'baseParameterTensor', 'baseWeightKey', 'buildSftExamples', 'packSequences', 'padSequence', 'toTrainingBatches', 'pretrain',
        'TfjsStepEngine', 'tfjsEngineLimits', 'tfjsNodePackage',
      ].sort(),
    );
  });
});
