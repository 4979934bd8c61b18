/** Which side of retrieval a text is on: asymmetric encoders (e5, BGE) prefix them differently. */
export type EmbedKind = 'query' | 'passage';

/**
 * One interface for every embedder. `id` names the embedder and everything that changes its vectors
 * (model, version, dimension); it is stored beside each vector, so vectors of two embedders are never
 * compared and a knowledge base whose embedder changed is known to need re-embedding.
 */
export interface Embedder {
  readonly id: string;
  readonly dimension: number;
  /** One L2-normalised vector per text, in order. */
  embedBatch(texts: readonly string[], kind: EmbedKind): Promise<Float32Array[]>;
  dispose?(): Promise<void>;
}

export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i] *= inv;
  }
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
