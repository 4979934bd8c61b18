import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceHidden, tinyWeights, wordPieceJson, WORDPIECE_VOCAB, writeTinyEncoder } from '../embed/testing/tiny-encoder.fixture';
import { EncoderTokenizer } from '../embed/tokenizer/encoder-tokenizer';
import { OnnxCrossEncoderReranker } from './onnx-cross-encoder.reranker';
import { rerank } from './reranker';

describe('OnnxCrossEncoderReranker on a tiny cross-encoder built by the test', () => {
  const root = mkdtempSync(join(tmpdir(), 'zhiku-reranker-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('scores each (query, passage) pair as the reference computation does, and reorders by score', async () => {
    const w = tinyWeights(WORDPIECE_VOCAB.length, 8, 5);
    const head = Float32Array.from({ length: 8 }, (_, i) => (i % 2 ? 0.5 : -0.25) * (i + 1));
    const dir = writeTinyEncoder(join(root, 'ce'), w, wordPieceJson(), { id: 'tiny-ce', maxLength: 16, batchSize: 2 }, head);
    const reranker = await OnnxCrossEncoderReranker.load(dir);
    try {
      expect(reranker.id).toBe('onnx-rerank:tiny-ce');
      const tok = EncoderTokenizer.fromJson(wordPieceJson());
      const passages = ['hello world', '世界', 'unaffable cafe, hello!'];
      const scores = await reranker.score('world', passages);
      passages.forEach((p, i) => {
        const enc = tok.encodePair('world', p, 16);
        expect(enc.typeIds).toContain(1);
        const cls = referenceHidden(w, enc.ids, enc.typeIds)[0];
        expect(scores[i]).toBeCloseTo(cls.reduce((s, x, j) => s + x * head[j], 0), 5);
      });
      const ordered = await rerank(reranker, 'world', passages, (p) => p);
      expect(ordered.map((o) => o.score)).toEqual([...scores].sort((a, b) => b - a));
    } finally {
      await reranker.dispose();
    }
  });
});
