import { randomUUID } from 'node:crypto';
import { FEATURE_MODULES } from '../features';
import { bearer, startTestApp, type TestApp } from '../../test/support/test-app';
import { RetrievalModule } from './retrieval.module';
import { RetrievalService } from './retrieval.service';
import { SEARCH_MODES } from './rank/search-options';

jest.setTimeout(120_000);

/**
 * POST /api/search through the real app (auth guard, validation pipe, error filter, PGlite). The
 * module is added to FEATURE_MODULES here exactly as src/features.ts will list it.
 */
describe('POST /api/search', () => {
  let t: TestApp;
  let viewerA: string;
  let KB_A: string;
  let KB_B: string;

  beforeAll(async () => {
    if (!FEATURE_MODULES.includes(RetrievalModule)) FEATURE_MODULES.push(RetrievalModule);
    t = await startTestApp();
    // Knowledge bases are the documents module's (grants reference them); the chunks go straight into the index.
    const kb = async (name: string) => (await t.http().post('/api/knowledge-bases').set(bearer(t.adminKey!)).send({ name })).body.id as string;
    KB_A = await kb('A');
    KB_B = await kb('B');
    expect([KB_A, KB_B].every((id) => typeof id === 'string')).toBe(true);
    const retrieval = t.app.get(RetrievalService);
    const doc = (kb: string, name: string, text: string) => ({
      knowledgeBaseId: kb,
      documentId: randomUUID(),
      documentName: name,
      tags: [],
      chunks: [{ chunkId: randomUUID(), index: 0, text, context: '总则', provenance: { pages: [3], headingPath: ['总则', '3.2 机场'] } }],
    });
    await retrieval.indexDocument(doc(KB_A, 'a.pdf', '漠河机场是中国第一个建于永久冻土带的机场。'));
    await retrieval.indexDocument(doc(KB_B, 'b.pdf', '漠河机场的机密资料，只属于知识库B。'));
    const res = await t.http().post('/api/keys').set(bearer(t.adminKey!)).send({ name: 'viewer A', role: 'viewer', knowledgeBaseIds: [KB_A] });
    expect(res.status).toBe(201);
    viewerA = res.body.key;
  });
  afterAll(async () => t?.close());

  it('returns chunks with score, document name, pages and heading path, only from readable knowledge bases', async () => {
    for (const mode of SEARCH_MODES) {
      const res = await t.http().post('/api/search').set(bearer(viewerA)).send({ query: '漠河机场 机密资料', mode, k: 5 });
      expect(res.status).toBe(200);
      expect(res.body.results.length).toBeGreaterThan(0);
      expect(res.body.results.every((r: { knowledgeBaseId: string }) => r.knowledgeBaseId === KB_A)).toBe(true);
      expect(res.body.results[0]).toMatchObject({ documentName: 'a.pdf', pages: [3], headingPath: ['总则', '3.2 机场'] });
      expect(typeof res.body.results[0].score).toBe('number');
    }
    const admin = await t.http().post('/api/search').set(bearer(t.adminKey!)).send({ query: '漠河机场 机密资料' });
    expect(admin.body.results.map((r: { documentName: string }) => r.documentName).sort()).toEqual(['a.pdf', 'b.pdf']);
  });

  it('answers bad input with 4xx, never 500', async () => {
    const post = (body: object, key = viewerA) => t.http().post('/api/search').set(bearer(key)).send(body);
    expect((await post({ query: '' })).status).toBe(400);
    expect((await post({ query: '   ' })).status).toBe(400);
    expect((await post({ query: 'x'.repeat(100_000) })).status).toBeGreaterThanOrEqual(400);
    expect((await post({ query: 'x'.repeat(100_000) })).status).toBeLessThan(500);
    expect((await post({ query: 'ok', k: 0 })).status).toBe(400);
    expect((await post({ query: 'ok', k: 10_000 })).status).toBe(400);
    expect((await post({ query: 'ok', mode: 'fuzzy' })).status).toBe(400);
    expect((await post({ query: 'ok', knowledgeBases: ['not-a-uuid'] })).status).toBe(400);
    expect((await post({ query: 'ok', knowledgeBases: [KB_B] })).status).toBe(404);
    expect((await post({ query: 'ok', knowledgeBases: [randomUUID()] }, t.adminKey!)).status).toBe(404);
    expect((await t.http().post('/api/search').send({ query: 'ok' })).status).toBe(401);
  });
});
