import * as retrieval from './index';

describe('src/retrieval entry', () => {
  it('exports exactly the public surface', () => {
    expect(Object.keys(retrieval).sort()).toEqual(
      [
        'DEFAULT_RRF_K', 'EmbedderLoadError', 'EncoderTokenizer', 'HashedFeaturesEmbedder', 'InvalidSearchError', 'MAX_K', 'MAX_QUERY_CHARS',
        'OnnxCrossEncoderReranker', 'RetrievalChunkIndexer', 'OnnxEncoderEmbedder', 'QaFormatError', 'RetrievalEngine', 'RetrievalError', 'RetrievalModule',
        'RetrievalRepository', 'RetrievalService', 'SEARCH_MODES', 'analyze', 'evaluateRetrieval', 'formatReport', 'isFound', 'parseQaJsonl',
        'reciprocalRankFusion',
      ].sort(),
    );
  });
});
