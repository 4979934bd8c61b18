import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbedderLoadError } from '../retrieval.errors';
import { OnnxEncoderEmbedder } from './onnx-encoder.embedder';
import { referenceHidden, tinyWeights, unigramJson, UNIGRAM_VOCAB, wordPieceJson, WORDPIECE_VOCAB, writeTinyEncoder } from './testing/tiny-encoder.fixture';
import { EncoderTokenizer } from './tokenizer/encoder-tokenizer';

const HIDDEN = 8;

function normalize(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
}

describe('OnnxEncoderEmbedder on a tiny encoder built by the test', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'zhiku-encoder-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('BERT-style: CLS pooling with the query prefix, normalised, matches the reference computation', async () => {
    const w = tinyWeights(WORDPIECE_VOCAB.length, HIDDEN);
    const dir = writeTinyEncoder(join(root, 'bert'), w, wordPieceJson(), { id: 'tiny-bert', pooling: 'cls', normalize: true, maxLength: 8, queryPrefix: 'hello ', batchSize: 2 });
    const embedder = await OnnxEncoderEmbedder.load(dir);
    try {
      expect(embedder.id).toBe('onnx:tiny-bert');
      expect(embedder.dimension).toBe(HIDDEN);
      const tok = EncoderTokenizer.fromJson(wordPieceJson());
      const texts = ['世界', 'unaffable world, hello world hello world!', 'cafe'];
      const vectors = await embedder.embedBatch(texts, 'query');
      texts.forEach((text, i) => {
        const enc = tok.encode('hello ' + text, 8);
        expect(enc.ids.length).toBeLessThanOrEqual(8);
        const expected = normalize(referenceHidden(w, enc.ids, enc.typeIds)[0]);
        Array.from(vectors[i]).forEach((x, j) => expect(x).toBeCloseTo(expected[j], 5));
      });
    } finally {
      await embedder.dispose();
    }
  });

  it('XLM-R-style: mean pooling over real tokens only, the same in a padded batch as alone', async () => {
    const w = tinyWeights(UNIGRAM_VOCAB.length, HIDDEN, 11);
    const dir = writeTinyEncoder(join(root, 'xlmr'), w, unigramJson(), { pooling: 'mean', normalize: false, maxLength: 64, queryPrefix: '世界 ' });
    const embedder = await OnnxEncoderEmbedder.load(dir);
    try {
      const tok = EncoderTokenizer.fromJson(unigramJson());
      const texts = ['hello', 'hello world 世界 hello world'];
      const batch = await embedder.embedBatch(texts, 'passage');
      for (const [i, text] of texts.entries()) {
        const enc = tok.encode(text, 64);
        const hidden = referenceHidden(w, enc.ids, enc.typeIds);
        const mean = Array.from({ length: HIDDEN }, (_, j) => hidden.reduce((s, row) => s + row[j], 0) / hidden.length);
        Array.from(batch[i]).forEach((x, j) => expect(x).toBeCloseTo(mean[j], 5));
        const [alone] = await embedder.embedBatch([text], 'passage');
        Array.from(alone).forEach((x, j) => expect(x).toBeCloseTo(batch[i][j], 6));
      }
      // Queries carry their prefix: the query vector is the passage vector of the prefixed text.
      const [query] = await embedder.embedBatch(['hello'], 'query');
      const [prefixed] = await embedder.embedBatch(['世界 hello'], 'passage');
      expect(Array.from(query)).toEqual(Array.from(prefixed));
      expect(Array.from(query)).not.toEqual(Array.from(batch[0]));
    } finally {
      await embedder.dispose();
    }
  });

  it('names what is missing or wrong in the folder', async () => {
    await expect(OnnxEncoderEmbedder.load(join(root, 'nope'))).rejects.toThrow(/does not exist/);
    const w = tinyWeights(WORDPIECE_VOCAB.length, HIDDEN);
    const dir = writeTinyEncoder(join(root, 'bad'), w, wordPieceJson(), { pooling: 'max' });
    await expect(OnnxEncoderEmbedder.load(dir)).rejects.toThrow(/"pooling" must be "cls" or "mean"/);
    writeFileSync(join(dir, 'embedder.json'), '{}');
    rmSync(join(dir, 'tokenizer.json'));
    await expect(OnnxEncoderEmbedder.load(dir)).rejects.toBeInstanceOf(EmbedderLoadError);
  });
});
