import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxGraph, attr } from '../../../moe/onnx/onnx-graph';
import { OnnxDataType } from '../../../moe/onnx/onnx-proto';

export * from './tokenizer-json.fixture';

export interface TinyEncoderWeights {
  vocab: number;
  hidden: number;
  wordEmbeddings: Float32Array;
  typeEmbeddings: Float32Array;
  projection: Float32Array;
}

/** Deterministic small weights (a linear congruential sequence), so a failure reproduces. */
export function tinyWeights(vocab: number, hidden: number, seed = 7): TinyEncoderWeights {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
  const fill = (n: number) => Float32Array.from({ length: n }, next);
  return { vocab, hidden, wordEmbeddings: fill(vocab * hidden), typeEmbeddings: fill(2 * hidden), projection: fill(hidden * hidden) };
}

/**
 * A one-layer stand-in for a BERT encoder, with the same inputs and output name:
 *
 *   input_ids ─Gather(word)─┐
 *                           Add ─MatMul(W)─Tanh─Mul(mask)─► last_hidden_state [B, T, H]
 *   token_type_ids ─Gather(type)─┘                 ▲
 *   attention_mask ─Unsqueeze─Cast(float)──────────┘
 *
 * Padded positions come out as zeros, so mean pooling that counted them would give a different answer.
 */
export function writeTinyEncoder(dir: string, w: TinyEncoderWeights, tokenizerJson: object, config: object, head?: Float32Array, headOn: 'first' | 'sum' = 'first'): string {
  mkdirSync(dir, { recursive: true });
  const g = new OnnxGraph(null, 17);
  const ids = g.input('input_ids', OnnxDataType.INT64, ['batch', 'seq']);
  const mask = g.input('attention_mask', OnnxDataType.INT64, ['batch', 'seq']);
  const types = g.input('token_type_ids', OnnxDataType.INT64, ['batch', 'seq']);
  const word = g.floatWeight('word_embeddings', [w.vocab, w.hidden], w.wordEmbeddings);
  const type = g.floatWeight('type_embeddings', [2, w.hidden], w.typeEmbeddings);
  const proj = g.floatWeight('projection', [w.hidden, w.hidden], w.projection);
  const x = g.op('Add', [g.op('Gather', [word, ids]), g.op('Gather', [type, types])]);
  const h = g.op('Tanh', [g.op('MatMul', [x, proj])]);
  const m = g.op('Cast', [g.op('Unsqueeze', [mask, g.int64([-1])])], { attrs: { to: attr.int(OnnxDataType.FLOAT) } });
  const hidden = g.op('Mul', [h, m]);
  if (head) {
    // Cross-encoder head: the first token's state (or, with no attention to mix tokens, the sum of all
    // states, so the score depends on the passage) times a [H, 1] vector gives logits [B, 1].
    const pooled =
      headOn === 'first'
        ? g.op('Gather', [hidden, g.int64([0], [])], { attrs: { axis: attr.int(1) } })
        : g.op('ReduceSum', [hidden, g.int64([1])], { attrs: { keepdims: attr.int(0) } });
    g.alias(g.op('MatMul', [pooled, g.floatWeight('classifier', [w.hidden, 1], head)]), 'logits');
    g.output('logits', OnnxDataType.FLOAT, ['batch', 1]);
  } else {
    g.alias(hidden, 'last_hidden_state');
    g.output('last_hidden_state', OnnxDataType.FLOAT, ['batch', 'seq', w.hidden]);
  }
  writeFileSync(join(dir, 'model.onnx'), g.toBytes('tiny-encoder'));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
  writeFileSync(join(dir, head ? 'reranker.json' : 'embedder.json'), JSON.stringify(config));
  return dir;
}

/** The same computation in plain loops: hidden states of one sequence, [T][H]. */
export function referenceHidden(w: TinyEncoderWeights, ids: readonly number[], typeIds: readonly number[]): number[][] {
  return ids.map((id, t) => {
    const x = Array.from({ length: w.hidden }, (_, j) => w.wordEmbeddings[id * w.hidden + j] + w.typeEmbeddings[typeIds[t] * w.hidden + j]);
    return Array.from({ length: w.hidden }, (_, j) => {
      let s = 0;
      for (let i = 0; i < w.hidden; i++) s += x[i] * w.projection[i * w.hidden + j];
      return Math.tanh(s);
    });
  });
}
