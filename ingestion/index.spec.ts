import * as ingestion from './index';

describe('ingestion public entry', () => {
  it('exports exactly this list (a change here is an API change)', () => {
    expect(Object.keys(ingestion).sort()).toEqual([
      'CorruptDocumentError',
      'DEFAULT_LIMITS',
      'EncryptedDocumentError',
      'IngestionError',
      'LimitExceededError',
      'NoPagesError',
      'PAGED_FORMATS',
      'PageOutOfRangeError',
      'PageRenderPool',
      'ParseCancelledError',
      'RenderTimeoutError',
      'TesseractOcrEngine',
      'UnsupportedFormatError',
      'chunkDocument',
      'detectFormat',
      'disposeIngestion',
      'estimateTokens',
      'parse',
      'readSpreadsheetRows',
      'renderPageImage',
      'splitSentences',
    ]);
  });
});
