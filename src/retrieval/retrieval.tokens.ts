/** Nest token of the optional cross-encoder (RETRIEVAL_RERANKER_DIR); absent when none is configured. */
export const RERANKER = Symbol('RETRIEVAL_RERANKER');
