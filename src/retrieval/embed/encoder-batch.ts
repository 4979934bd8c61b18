import { int64Tensor, type InferenceSession, type SessionTensor } from '../../moe';
import type { Encoding } from './tokenizer/encoder-tokenizer';

/** Feeds for a padded batch: input_ids, attention_mask, and token_type_ids when the graph takes them. */
export function batchFeeds(session: InferenceSession, encodings: readonly Encoding[], padId: number): { feeds: Record<string, SessionTensor>; mask: number[][] } {
  const seq = Math.max(1, ...encodings.map((e) => e.ids.length));
  const ids: number[] = [];
  const types: number[] = [];
  const mask: number[][] = [];
  for (const e of encodings) {
    const m: number[] = [];
    for (let t = 0; t < seq; t++) {
      const real = t < e.ids.length;
      ids.push(real ? e.ids[t] : padId);
      types.push(real ? e.typeIds[t] : 0);
      m.push(real ? 1 : 0);
    }
    mask.push(m);
  }
  const dims = [encodings.length, seq];
  const feeds: Record<string, SessionTensor> = {};
  for (const name of session.inputNames) {
    if (name === 'input_ids') feeds[name] = int64Tensor(ids, dims);
    else if (name === 'attention_mask') feeds[name] = int64Tensor(mask.flat(), dims);
    else if (name === 'token_type_ids') feeds[name] = int64Tensor(types, dims);
    else throw new Error(`the encoder graph has an input '${name}' we cannot feed (input_ids, attention_mask, token_type_ids)`);
  }
  return { feeds, mask };
}
