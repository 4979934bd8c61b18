import { randomUUID } from 'node:crypto';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

/**
 * POST /api/search through the whole app: documents uploaded over HTTP, ingested by the job queue,
 * indexed by the retrieval module, searched with keys of different reach.
 */
describe('POST /api/search (bad input, unknown and empty knowledge bases)', () => {
  let t: TestApp;
  let viewerA: string;
  let kbA: string;
  let kbB: string;
  let kbEmpty: string;

  const admin = () => bearer(t.adminKey!);

  async function waitReady(id: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const res = await t.http().get(`/api/documents/${id}`).set(admin()).expect(200);
      if (res.body.status === 'ready') return;
      if (res.body.status === 'failed') throw new Error(`document ${id} failed: ${res.body.error}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`document ${id} never became ready`);
  }

  async function upload(kb: string, name: string, text: string): Promise<void> {
    const res = await t.http().post(`/api/knowledge-bases/${kb}/documents`).set(admin()).attach('files', Buffer.from(text), name).expect(201);
    await waitReady(res.body.documents[0].id);
  }

  beforeAll(async () => {
    t = await startTestApp();
    const kb = async (name: string) => (await t.http().post('/api/knowledge-bases').set(admin()).send({ name }).expect(201)).body.id as string;
    kbA = await kb('airports');
    kbB = await kb('secrets');
    kbEmpty = await kb('nothing yet');
    await upload(kbA, 'mohe.md', '# 漠河机场\n\n漠河机场是中国第一个建于永久冻土带的机场，投资金额为4.7亿元。\n');
    await upload(kbB, 'b.md', '# Confidential\n\nThe Mohe airport budget draft is confidential to knowledge base B.\n');
    const res = await t.http().post('/api/keys').set(admin()).send({ name: 'viewer A', role: 'viewer', knowledgeBaseIds: [kbA] }).expect(201);
    viewerA = res.body.key;
  });
  afterAll(async () => t?.close());

  const post = (body: object, key?: string) => t.http().post('/api/search').set(bearer(key ?? t.adminKey!)).send(body);

  it('finds an uploaded document', async () => {
    const res = await post({ query: '漠河机场投资金额', knowledgeBases: [kbA], k: 3 }, viewerA).expect(200);
    expect(res.body.results[0]).toMatchObject({ documentName: 'mohe.md', knowledgeBaseId: kbA });
  });

  it('answers an unknown knowledge base with 404 for every key, and a hidden one like an unknown one', async () => {
    const unknown = randomUUID();
    for (const key of [t.adminKey!, viewerA]) {
      const res = await post({ query: 'airport', knowledgeBases: [unknown] }, key);
      expect(res.status).toBe(404);
      expect(res.body.message).toContain(unknown);
    }
    const hidden = await post({ query: 'airport', knowledgeBases: [kbA, kbB] }, viewerA);
    expect(hidden.status).toBe(404);
    expect(hidden.body.message).toContain(kbB);
    expect(hidden.body.message).toMatch(/not found \(or this key may not read it\)/);
  });

  it('answers a knowledge base with no documents with an empty list, in every mode', async () => {
    for (const mode of ['hybrid', 'vector', 'lexical']) {
      const res = await post({ query: '漠河机场', knowledgeBases: [kbEmpty], mode });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([]);
    }
  });

  it('answers bad queries and k with 400 naming the field, never 500', async () => {
    const cases: Array<[object, string]> = [
      [{ query: '' }, 'query'],
      [{ query: '   \n\t ' }, 'query'],
      [{ query: 'x'.repeat(100_000) }, 'query'],
      [{ query: 'ok', k: 0 }, 'k'],
      [{ query: 'ok', k: 10_000 }, 'k'],
      [{ query: 'ok', k: 2.5 }, 'k'],
      [{ query: 'ok', mode: 'fuzzy' }, 'mode'],
      [{ query: 'ok', knowledgeBases: ['not-a-uuid'] }, 'knowledgeBases'],
      [{}, 'query'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect([res.status, JSON.stringify(body).slice(0, 60)]).toEqual([400, JSON.stringify(body).slice(0, 60)]);
      expect(JSON.stringify(res.body)).toContain(field);
    }
  });

  it('a query made only of stop words or punctuation gives an empty list, not an error', async () => {
    for (const query of ['the of and', '？！。', '的 是']) {
      const res = await post({ query, mode: 'lexical' });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([]);
    }
  });
});
