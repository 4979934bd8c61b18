import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDataDir } from '../src/database/testing/embedded-template';
import { tinyWeights, wordPieceJson, WORDPIECE_VOCAB, writeTinyEncoder } from '../src/retrieval/embed/testing/tiny-encoder.fixture';
import { OnnxCrossEncoderReranker } from '../src/retrieval/rerank/onnx-cross-encoder.reranker';
import { indexText } from '../src/retrieval/rank/memory-index';
import { RERANK_NOT_CONFIGURED } from '../src/retrieval/retrieval.service';
import { zhiku } from './support/run-zhiku';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

/**
 * POST /api/search through the whole app: documents uploaded over HTTP, ingested by the job queue,
 * indexed by the retrieval module, searched with keys of different reach.
 */
async function uploadDocument(t: TestApp, kb: string, name: string, text: string): Promise<void> {
  const res = await t.http().post(`/api/knowledge-bases/${kb}/documents`).set(bearer(t.adminKey!)).attach('files', Buffer.from(text), name).expect(201);
  const id = res.body.documents[0].id;
  for (let i = 0; i < 600; i++) {
    const doc = await t.http().get(`/api/documents/${id}`).set(bearer(t.adminKey!)).expect(200);
    if (doc.body.status === 'ready') return;
    if (doc.body.status === 'failed') throw new Error(`document ${id} failed: ${doc.body.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`document ${id} never became ready`);
}

async function waitJob(t: TestApp, id: string): Promise<{ status: string; result: unknown; error: string | null }> {
  for (let i = 0; i < 600; i++) {
    const job = (await t.http().get(`/api/jobs/${id}`).set(bearer(t.adminKey!)).expect(200)).body;
    if (['completed', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} never finished`);
}

describe('POST /api/search (bad input, unknown and empty knowledge bases)', () => {
  let t: TestApp;
  let viewerA: string;
  let kbA: string;
  let kbB: string;
  let kbEmpty: string;

  const admin = () => bearer(t.adminKey!);

  const upload = (kb: string, name: string, text: string) => uploadDocument(t, kb, name, text);

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

  it('rerank without a configured cross-encoder is a 400 that says how to configure one', async () => {
    const res = await post({ query: '漠河机场', rerank: true });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(RERANK_NOT_CONFIGURED);
    expect(res.body.message).toContain('RETRIEVAL_RERANKER_DIR');
  });

  it('a query made only of stop words or punctuation gives an empty list, not an error', async () => {
    for (const query of ['the of and', '？！。', '的 是']) {
      const res = await post({ query, mode: 'lexical' });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([]);
    }
  });
});

describe('embedder and reranker from configured folders (tiny ONNX models built by the test)', () => {
  const root = mkdtempSync(join(tmpdir(), 'zhiku-search-e2e-'));
  const encoderDir = writeTinyEncoder(join(root, 'encoder'), tinyWeights(WORDPIECE_VOCAB.length, 8, 3), wordPieceJson(), { id: 'tiny-e2e', pooling: 'mean', maxLength: 32 });
  const head = Float32Array.from({ length: 8 }, (_, i) => (i % 3) - 1 + 0.1 * i);
  const rerankerDir = writeTinyEncoder(join(root, 'reranker'), tinyWeights(WORDPIECE_VOCAB.length, 8, 11), wordPieceJson(), { id: 'tiny-ce', maxLength: 32 }, head, 'sum');
  const ENV = { RETRIEVAL_EMBEDDER_DIR: encoderDir, RETRIEVAL_RERANKER_DIR: rerankerDir };
  let t: TestApp;
  let kb: string;

  beforeAll(async () => {
    t = await startTestApp(ENV);
    kb = (await t.http().post('/api/knowledge-bases').set(bearer(t.adminKey!)).send({ name: 'tiny' }).expect(201)).body.id;
    await uploadDocument(t, kb, 'greeting.md', 'hello world, hello world!');
    await uploadDocument(t, kb, 'cafe.md', '世界 cafe cafes');
    await uploadDocument(t, kb, 'mixed.md', 'unaffable cafe world');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const search = (body: object) => t.http().post('/api/search').set(bearer(t.adminKey!)).send(body);

  it('a new knowledge base embeds with the configured ONNX encoder, and vector search uses it', async () => {
    const state = (await t.http().get(`/api/knowledge-bases/${kb}/embedder`).set(bearer(t.adminKey!)).expect(200)).body;
    expect(state).toEqual({ knowledgeBaseId: kb, embedder: 'onnx:tiny-e2e', pendingEmbedder: null, available: ['onnx:tiny-e2e', 'zhiku-hashed-v1-512'] });
    const res = await search({ query: 'hello cafe', mode: 'vector', k: 5 }).expect(200);
    expect(res.body.embedders).toEqual(['onnx:tiny-e2e']);
    expect(res.body.results.map((r: { documentName: string }) => r.documentName).sort()).toEqual(['cafe.md', 'greeting.md', 'mixed.md']);
  });

  it('changing the embedder re-embeds the knowledge base in a job; search then uses the new vectors', async () => {
    const bad = await t.http().put(`/api/knowledge-bases/${kb}/embedder`).set(bearer(t.adminKey!)).send({ embedder: 'bge-m3' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('zhiku-hashed-v1-512');
    expect((await t.http().put(`/api/knowledge-bases/${randomUUID()}/embedder`).set(bearer(t.adminKey!)).send({ embedder: 'zhiku-hashed-v1-512' })).status).toBe(404);

    const started = (await t.http().put(`/api/knowledge-bases/${kb}/embedder`).set(bearer(t.adminKey!)).send({ embedder: 'zhiku-hashed-v1-512' }).expect(200)).body;
    expect(started).toMatchObject({ embedder: 'onnx:tiny-e2e', pendingEmbedder: 'zhiku-hashed-v1-512' });
    expect(typeof started.jobId).toBe('string');
    const job = await waitJob(t, started.jobId);
    expect(job).toMatchObject({ status: 'completed', result: { reembedded: 3 } });
    const after = (await t.http().get(`/api/knowledge-bases/${kb}/embedder`).set(bearer(t.adminKey!)).expect(200)).body;
    expect(after).toMatchObject({ embedder: 'zhiku-hashed-v1-512', pendingEmbedder: null });
    const res = await search({ query: 'cafe', mode: 'vector', k: 5 }).expect(200);
    expect(res.body.embedders).toEqual(['zhiku-hashed-v1-512']);
    expect(res.body.results[0].documentName).toBe('cafe.md'); // the hashed embedder matches the word itself

    // A new document follows the knowledge base's embedder, not the primary one.
    await uploadDocument(t, kb, 'late.md', 'cafe hello late arrival');
    expect((await search({ query: 'late arrival', mode: 'vector', k: 1 }).expect(200)).body.results[0].documentName).toBe('late.md');
    const unchanged = (await t.http().put(`/api/knowledge-bases/${kb}/embedder`).set(bearer(t.adminKey!)).send({ embedder: 'zhiku-hashed-v1-512' }).expect(200)).body;
    expect(unchanged.jobId).toBeNull();
  });

  it('rerank: true reorders the fused list by the cross-encoder score', async () => {
    const plain = (await search({ query: 'hello cafe world', k: 4 }).expect(200)).body;
    const res = (await search({ query: 'hello cafe world', k: 4, rerank: true }).expect(200)).body;
    expect(res.reranker).toBe('onnx-rerank:tiny-ce');
    expect(res.results.length).toBeGreaterThanOrEqual(3);
    expect(new Set(res.results.map((r: { score: number }) => r.score)).size).toBe(res.results.length);
    const reranker = await OnnxCrossEncoderReranker.load(rerankerDir);
    try {
      const expected = await reranker.score('hello cafe world', res.results.map((r: { text: string }) => indexText({ text: r.text, context: '' })));
      res.results.forEach((r: { score: number }, i: number) => expect(r.score).toBeCloseTo(expected[i], 4));
    } finally {
      await reranker.dispose();
    }
    const scores = res.results.map((r: { score: number }) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(res.results.map((r: { chunkId: string }) => r.chunkId))).toEqual(new Set(plain.results.map((r: { chunkId: string }) => r.chunkId)));
  });

  it('zhiku search --rerank: a usage error without RETRIEVAL_RERANKER_DIR, reranked results with it', async () => {
    const dataDir = await freshDataDir();
    const doc = join(root, 'notes.md');
    writeFileSync(doc, 'hello world cafe');
    expect((await zhiku('--data', dataDir, 'ingest', doc, '--kb', 'notes')).code).toBe(0);
    const without = await zhiku('--data', dataDir, 'search', 'cafe', '--rerank');
    expect(without.code).not.toBe(0);
    expect(without.err).toContain('RETRIEVAL_RERANKER_DIR');
    process.env.RETRIEVAL_RERANKER_DIR = rerankerDir;
    try {
      const run = await zhiku('--data', dataDir, 'search', 'cafe', '--rerank', '--json');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out)).toMatchObject({ reranker: 'onnx-rerank:tiny-ce', results: [{ documentName: 'notes.md' }] });
    } finally {
      delete process.env.RETRIEVAL_RERANKER_DIR;
    }
  });
});
