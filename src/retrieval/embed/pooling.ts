import { l2Normalize } from './embedder';

export type Pooling = 'cls' | 'mean';

/**
 * Sentence vectors from an encoder's last hidden state [batch, seq, hidden]: the first token's vector
 * (cls) or the mean over the tokens the attention mask marks real (padding never counts), then
 * optionally L2-normalised.
 */
export function poolHidden(hidden: Float32Array, dims: readonly number[], mask: readonly (readonly number[])[], pooling: Pooling, normalize: boolean): Float32Array[] {
  const [batch, seq, size] = dims;
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(size);
    const base = b * seq * size;
    if (pooling === 'cls') {
      v.set(hidden.subarray(base, base + size));
    } else {
      let count = 0;
      for (let t = 0; t < seq; t++) {
        if (!mask[b][t]) continue;
        count++;
        const at = base + t * size;
        for (let h = 0; h < size; h++) v[h] += hidden[at + h];
      }
      if (count) for (let h = 0; h < size; h++) v[h] /= count;
    }
    out.push(normalize ? l2Normalize(v) : v);
  }
  return out;
}
