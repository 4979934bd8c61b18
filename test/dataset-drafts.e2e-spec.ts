import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { waitUntilReady } from './support/documents';
import { bearer, newKey, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(90_000);

// A Chinese and an English document from the shared corpus, so both drafting templates are used.
const PDF_EN = path.resolve(__dirname, '..', '..', 'shared', 'data', 'docs', 'pdf', 'pdfjs__tracemonkey.pdf');
const PDF_ZH = path.resolve(__dirname, '..', '..', 'shared', 'data', 'docs', 'pdf', 'pdfjs__issue12823.pdf');

/**
 * A stand-in for an external OpenAI-compatible server (as vLLM or Ollama would be): it answers the
 * qa-draft prompt with one pair taken from the passage it was given and one invented pair, in the
 * streamed chat-completions format. Zhiku's own parsing and screening do the rest.
 */
function startDraftingEndpoint(): Promise<{ url: string; prompts: string[]; close: () => Promise<void> }> {
  const prompts: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const request = JSON.parse(body) as { messages: Array<{ role: string; content: string }> };
      const user = request.messages.find((m) => m.role === 'user')!.content;
      prompts.push(user);
      const passage = /<text>\n([\s\S]*?)\n<\/text>/.exec(user)![1];
      const sentence = passage.split('\n').pop()!.split(/(?<=[.。；])/)[0].trim();
      const lines = [
        JSON.stringify({ question: `What does the policy say about: ${sentence.slice(0, 30)}?`, answer: sentence }),
        JSON.stringify({ question: 'Who signed the policy?', answer: 'It was signed by the chief executive officer in March 1998 at the annual meeting.' }),
      ];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of lines.join('\n').match(/[\s\S]{1,40}/g)!) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece } }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/v1`, prompts, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

describe('Q&A drafted from a document, reviewed into a dataset version', () => {
  let t: TestApp;
  let admin: string;
  let endpoint: Awaited<ReturnType<typeof startDraftingEndpoint>>;
  let documentId: string;
  let chineseId: string;
  const auth = () => bearer(admin);

  beforeAll(async () => {
    endpoint = await startDraftingEndpoint();
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    admin = t.adminKey!;
    const kb = (await t.http().post('/api/knowledge-bases').set(auth()).send({ name: 'handbook' }).expect(201)).body.id;
    const up = await t.http().post(`/api/knowledge-bases/${kb}/documents`).set(auth()).attach('files', PDF_EN).attach('files', PDF_ZH).expect(201);
    [documentId, chineseId] = up.body.documents.map((d: { id: string }) => d.id);
    await waitUntilReady(t, admin, [documentId, chineseId]);
  });

  afterAll(async () => {
    await t?.close();
    await endpoint?.close();
  });

  async function finished(jobId: string): Promise<{ status: string; result: any; error: string | null }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = (await t.http().get(`/api/jobs/${jobId}`).set(auth()).expect(200)).body;
      if (['completed', 'failed', 'cancelled'].includes(job.status) || Date.now() > deadline) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('refuses clearly before a job starts: no model, unknown dataset or document, bad parameters', async () => {
    const seed = JSON.stringify({ instruction: 'Where are flights booked?', output: 'Through the travel desk.' });
    await t.http().post('/api/datasets/import').set(auth()).field('name', 'travel').attach('file', Buffer.from(seed), 'seed.jsonl').expect(201);
    const noModel = await t.http().post('/api/datasets/travel/drafts').set(auth()).send({ documentId }).expect(503);
    expect(noModel.body.message).toMatch(/Drafting questions from a document needs a generative model/);
    await t.http().post('/api/datasets/nope/drafts').set(auth()).send({ documentId }).expect(404);
    await t.http().post('/api/datasets/travel/drafts').set(auth()).send({ documentId: '00000000-0000-4000-8000-000000000000' }).expect(404);
    expect((await t.http().post('/api/datasets/travel/drafts').set(auth()).send({ documentId: 'x', perChunk: 9 }).expect(400)).body.message).toMatch(/documentId must be a document id/);
  });

  it('drafts grounded pairs per chunk, drops invented ones, and approval makes the next version', async () => {
    await t.http().post('/api/models').set(auth()).send({ name: 'drafter', provider: 'openai-compatible', baseUrl: endpoint.url }).expect(201);
    const started = await t.http().post('/api/datasets/travel/drafts').set(auth()).send({ documentId, perChunk: 2, maxChunks: 4 }).expect(202);
    expect(started.body.model).toBe('drafter@1');
    const job = await finished(started.body.job.id);
    expect(job).toMatchObject({ status: 'completed', error: null });
    // Chunks spread over the document, each prompted with the template in its language.
    expect(job.result.chunks).toBe(4);
    expect(endpoint.prompts).toHaveLength(4);
    expect(endpoint.prompts.every((p) => p.includes('Draft 2 question-answer pairs') && p.includes('Source: pdfjs__tracemonkey.pdf, p. '))).toBe(true);
    expect(new Set(endpoint.prompts.map((p) => /p\. (\d+)/.exec(p)![1])).size).toBeGreaterThan(1);
    const zh = await finished((await t.http().post('/api/datasets/travel/drafts').set(auth()).send({ documentId: chineseId, perChunk: 1, maxChunks: 1 }).expect(202)).body.job.id);
    expect(zh).toMatchObject({ status: 'completed', result: { chunks: 1 } });
    expect(endpoint.prompts[4]).toContain('请根据以上内容起草 1 个问答对');
    expect(job.result.dropped.length).toBeGreaterThanOrEqual(1);
    expect(job.result.dropped[0]).toMatchObject({ question: 'Who signed the policy?', reason: expect.stringMatching(/not grounded in the passage/) });

    const pending = (await t.http().get('/api/datasets/travel/drafts?status=pending').set(auth()).expect(200)).body;
    expect(pending.total).toBe(job.result.drafted + zh.result.drafted);
    expect(pending.total).toBeGreaterThanOrEqual(2);
    const [first, second, ...rest] = pending.drafts;
    expect(first).toMatchObject({ status: 'pending', model: 'drafter@1', sources: [{ documentId, title: 'pdfjs__tracemonkey.pdf', chunkId: expect.any(String), page: expect.any(Number) }] });
    expect(first.grounding).toBeGreaterThanOrEqual(0.6);

    // An editor fixes a draft, approves two, rejects the rest.
    const edited = await t.http().patch(`/api/datasets/travel/drafts/${first.id}`).set(auth()).send({ instruction: 'How early must flights be booked?' }).expect(200);
    expect(edited.body).toMatchObject({ instruction: 'How early must flights be booked?', status: 'pending' });
    const approved = await t.http().post('/api/datasets/travel/drafts/approve').set(auth()).send({ ids: [first.id, second.id] }).expect(200);
    expect(approved.body).toMatchObject({ approved: 2, version: { version: 2, operation: 'drafts' } });
    const records = (await t.http().get('/api/datasets/travel/records').set(auth()).expect(200)).body.records;
    expect(records.slice(1)).toEqual([
      expect.objectContaining({ instruction: 'How early must flights be booked?', output: first.output, tags: ['drafted'], sources: first.sources }),
      expect.objectContaining({ instruction: second.instruction, tags: ['drafted'] }),
    ]);
    if (rest.length) expect((await t.http().post('/api/datasets/travel/drafts/reject').set(auth()).send({ ids: rest.map((d: { id: string }) => d.id) }).expect(200)).body).toEqual({ rejected: rest.length });

    // Decided drafts stay decided: approving again is a 409 and changes nothing.
    const again = await t.http().post('/api/datasets/travel/drafts/approve').set(auth()).send({ ids: [second.id] }).expect(409);
    expect(again.body.message).toBe(`draft ${second.id} was already approved`);
    await t.http().patch(`/api/datasets/travel/drafts/${second.id}`).set(auth()).send({ output: 'x' }).expect(409);
    expect((await t.http().get('/api/datasets/travel').set(auth()).expect(200)).body.latestVersion).toBe(2);
    expect((await t.http().get('/api/datasets/travel/drafts?status=approved').set(auth()).expect(200)).body.drafts.map((d: { approvedVersion: number }) => d.approvedVersion)).toEqual([2, 2]);
  });

  it('a viewer may read drafts but not start, edit or decide them', async () => {
    const viewer = await newKey(t, 'viewer', 'reader');
    await t.http().get('/api/datasets/travel/drafts').set(bearer(viewer)).expect(200);
    await t.http().post('/api/datasets/travel/drafts').set(bearer(viewer)).send({ documentId }).expect(403);
    await t.http().post('/api/datasets/travel/drafts/approve').set(bearer(viewer)).send({ ids: [documentId] }).expect(403);
  });
});
