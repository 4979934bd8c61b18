import type { MoeConfig } from '../model/moe-config';

/** The benchmark's Mixtral shape (issue 5): 640 M parameters. */
export const MIXTRAL_640M: MoeConfig = {
  architecture: 'mixtral',
  vocabSize: 32000,
  hiddenSize: 1024,
  numLayers: 8,
  numHeads: 16,
  numKvHeads: 4,
  headDim: 64,
  rmsNormEps: 1e-5,
  ropeTheta: 1e6,
  ropeScaling: null,
  maxPositionEmbeddings: 4096,
  tieWordEmbeddings: false,
  attentionBias: false,
  qkNorm: null,
  moe: {
    numExperts: 8,
    topK: 2,
    intermediateSize: 2816,
    normTopKProb: true,
    scoring: 'topk-then-softmax',
    routedScalingFactor: 1,
    sharedExpert: null,
  },
  layerKinds: Array(8).fill('moe'),
  denseIntermediateSize: 0,
  bosTokenId: 1,
  eosTokenIds: [2],
};
