import { dot } from './embedder';
import { extractFeatures, HashedFeaturesEmbedder } from './hashed-features.embedder';

describe('HashedFeaturesEmbedder', () => {
  const embedder = new HashedFeaturesEmbedder({ dimension: 512 });

  it('names itself with version and dimension and returns unit vectors of that dimension', async () => {
    expect(embedder.id).toBe('zhiku-hashed-v1-512');
    const [a, b] = await embedder.embedBatch(['漠河机场位于黑龙江省', 'The airport is in Heilongjiang'], 'passage');
    for (const v of [a, b]) {
      expect(v).toHaveLength(512);
      expect(dot(v, v)).toBeCloseTo(1, 5);
    }
  });

  it('is deterministic and the same for queries and passages', async () => {
    const [q] = await embedder.embedBatch(['永久冻土带'], 'query');
    const [p] = await embedder.embedBatch(['永久冻土带'], 'passage');
    expect(Array.from(q)).toEqual(Array.from(p));
  });

  it('ranks the passage sharing rare words above one sharing only common words', async () => {
    const [q, relevant, other] = await embedder.embedBatch(
      ['漠河的机场在哪里', '漠河机场位于漠河县，航班不多。', '这个机场的航班很多，服务也很好。'],
      'passage',
    );
    expect(dot(q, relevant)).toBeGreaterThan(dot(q, other));
  });

  it('weights rare Chinese words above common ones by the frozen jieba IDF table', () => {
    const f = extractFeatures('漠河 中国');
    expect(f.get('w:漠河')!.weight).toBeGreaterThan(f.get('w:中国')!.weight);
    expect(f.get('b:漠河')).toBeDefined();
    expect(f.get('b:河中')).toBeUndefined(); // bigrams stay inside one run of characters
  });

  it('gives an empty text a zero vector rather than NaN', async () => {
    const [v] = await embedder.embedBatch([''], 'query');
    expect(Array.from(v).every((x) => x === 0)).toBe(true);
  });

  it('rejects a dimension pgvector cannot index', () => {
    expect(() => new HashedFeaturesEmbedder({ dimension: 4096 })).toThrow(/16\.\.2000/);
  });
});
