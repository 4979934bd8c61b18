/**
 * The retrieval subsystem's one entry: what the app (documents, assistant, CLI) imports. A spec pins
 * this list, so a change of the public surface is a visible diff.
 */
export { RetrievalModule } from './retrieval.module';
export { RetrievalService } from './retrieval.service';
export { RetrievalEngine, MAX_K, MAX_QUERY_CHARS } from './store/retrieval.engine';
export type { SearchHit, SearchRequest } from './store/retrieval.engine';
export { RetrievalRepository } from './store/retrieval.repository';
export { RetrievalChunkIndexer } from './store/retrieval.chunk-indexer';
export type { ChunkToIndex, DocumentToIndex, IndexedHit, SearchScope } from './store/retrieval.types';
export type { Embedder, EmbedKind } from './embed/embedder';
export { HashedFeaturesEmbedder } from './embed/hashed-features.embedder';
export { OnnxEncoderEmbedder } from './embed/onnx-encoder.embedder';
export { EncoderTokenizer } from './embed/tokenizer/encoder-tokenizer';
export type { Reranker } from './rerank/reranker';
export { OnnxCrossEncoderReranker } from './rerank/onnx-cross-encoder.reranker';
export { analyze } from './text/lexical-analyzer';
export { reciprocalRankFusion, DEFAULT_RRF_K } from './rank/fusion';
export { SEARCH_MODES } from './rank/search-options';
export type { FusionOptions, SearchMode } from './rank/search-options';
export { evaluateRetrieval, formatReport } from './eval/retrieval-eval';
export type { EvalReport, Searcher } from './eval/retrieval-eval';
export { parseQaJsonl, isFound } from './eval/qa-set';
export type { FoundRule, QaItem } from './eval/qa-set';
export { EmbedderLoadError, InvalidSearchError, QaFormatError, RetrievalError } from './retrieval.errors';
