/**
 * One step of reshaping next-token logits before sampling. Each processor is one small class with
 * one method; the generator runs them in order. Processors may change `logits` in place.
 */
export interface LogitsProcessor {
  /** `ids` is the whole sequence so far: prompt then generated tokens. */
  process(logits: Float32Array, ids: readonly number[]): Float32Array;
}
