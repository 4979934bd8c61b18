import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import { GeneratorService, NoModelError } from '../src/generator';
import { createRandomCheckpoint } from '../src/moe';
import { bearer, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

/** A started app listening on a loopback port, so real HTTP clients (the openai SDK, another Zhiku) reach it. */
async function listening(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  const address = t.app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

async function waitForModel(t: TestApp, key: string, id: string): Promise<{ status: string; [k: string]: unknown }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await t.http().get(`/api/models/${id}`).set(bearer(key)).expect(200);
    if (res.body.status !== 'importing') return res.body;
    if (Date.now() > deadline) throw new Error(`model ${id} still importing`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('generator: model registry, ONNX and OpenAI-compatible providers, /v1 API', () => {
  let a: TestApp; // serves the ONNX model
  let b: TestApp; // forwards to `a` as an external OpenAI-compatible endpoint ("another Zhiku")
  let adminA: string;
  let adminB: string;
  let viewerA: string;
  let urlA: string;
  let urlB: string;
  let tinyId: string;
  let endlessId: string;
  let client: OpenAI;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startTestApp({ RATE_LIMIT_PER_MINUTE: '100000', GENERATOR_CONCURRENCY: '1', GENERATOR_QUEUE_LIMIT: '1', GENERATOR_THREADS: '1' }),
      startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }),
    ]);
    adminA = a.adminKey!;
    adminB = b.adminKey!;
    [urlA, urlB] = await Promise.all([listening(a), listening(b)]);
    viewerA = (await a.http().post('/api/keys').set(bearer(adminA)).send({ name: 'app', role: 'viewer' }).expect(201)).body.key;
    client = new OpenAI({ baseURL: `${urlA}/v1`, apiKey: viewerA, maxRetries: 0 });

    createRandomCheckpoint(path.join(a.config.modelsDir, 'ckpt'), { arch: 'qwen2_moe', layers: 2, hidden: 64, intermediate: 64, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 384, seed: 7 });
    const started = await a.http().post('/api/models/import').set(bearer(adminA)).send({ checkpoint: 'ckpt', name: 'tiny', bits: 8, group: 32 }).expect(202);
    expect(started.body).toMatchObject({ name: 'tiny', version: 1, ref: 'tiny@1', status: 'importing', provider: 'onnx', bits: 8, group: 32 });
    const ready = await waitForModel(a, adminA, started.body.id);
    expect(ready).toMatchObject({ status: 'ready', architecture: 'qwen2_moe', contextLength: 4096, folder: path.join(fs.realpathSync(a.config.modelsDir), 'tiny.v1') });
    expect((ready.source as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ready.sizeBytes).toBeGreaterThan(10_000);
    expect(ready.measured).toMatchObject({ decodeTokensPerS: expect.any(Number), prefillTokensPerS: expect.any(Number), peakRssMb: expect.any(Number), perplexity: null });
    const job = await a.http().get(`/api/jobs/${started.body.jobId}`).set(bearer(adminA)).expect(200);
    expect(job.body).toMatchObject({ status: 'completed', progress: 100 });
    tinyId = started.body.id;

    // A copy whose manifest lists no EOS id: only max_tokens (or a cancel) ends its generations, so
    // the queue tests do not depend on when a random model happens to sample EOS.
    const endless = path.join(a.config.modelsDir, 'endless');
    fs.cpSync(path.join(a.config.modelsDir, 'tiny.v1'), endless, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(endless, 'manifest.json'), 'utf8'));
    fs.writeFileSync(path.join(endless, 'manifest.json'), JSON.stringify({ ...manifest, config: { ...manifest.config, eosTokenIds: [] } }));
    endlessId = (await a.http().post('/api/models').set(bearer(adminA)).send({ name: 'endless', path: 'endless' }).expect(201)).body.id;
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('registry: versions, default, folders only inside the models directory, admin only', async () => {
    const folder = path.join(a.config.modelsDir, 'tiny.v1');
    const v2 = await a.http().post('/api/models').set(bearer(adminA)).send({ name: 'tiny', path: folder, datasetVersion: 'qa-3' }).expect(201);
    expect(v2.body).toMatchObject({ ref: 'tiny@2', status: 'ready', bits: 8, isDefault: false, lineage: { datasetVersion: 'qa-3', baseModel: null } });
    // "tiny" means the newest ready version until a default is chosen.
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(expect.arrayContaining(['tiny', 'tiny@1', 'tiny@2', 'zhiku-hashed-v1-512']));
    const chosen = await a.http().post(`/api/models/${tinyId}/default`).set(bearer(adminA)).expect(200);
    expect(chosen.body).toMatchObject({ ref: 'tiny@1', isDefault: true });
    const answer = await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
    expect(answer.model).toBe('tiny@1');
    // For the assistant: the default model, and a prompt measured with its template and tokenizer.
    const measured = await a.app.get(GeneratorService).measure(null, [{ role: 'user', content: 'hi' }]);
    expect(measured).toEqual({ ref: 'tiny@1', promptTokens: answer.usage!.prompt_tokens, contextLength: 4096 });
    const none = b.app.get(GeneratorService).chat(null, [{ role: 'user', content: 'hi' }], { maxTokens: 1 }, new AbortController().signal);
    await expect(none).rejects.toBeInstanceOf(NoModelError);
    await expect(none).rejects.toThrow(/no generative model is registered yet; an admin can import one/);

    const outside = fs.mkdtempSync(path.join(path.dirname(a.config.modelsDir), 'elsewhere-'));
    fs.symlinkSync(outside, path.join(a.config.modelsDir, 'link-out'));
    for (const bad of [outside, '../', 'link-out', '/etc']) {
      const res = await a.http().post('/api/models').set(bearer(adminA)).send({ name: 'evil', path: bad }).expect(400);
      expect(res.body.message).toMatch(/outside the models directory/);
    }
    await a.http().post('/api/models/import').set(bearer(adminA)).send({ checkpoint: outside, name: 'evil' }).expect(400);
    const notModel = await a.http().post('/api/models').set(bearer(adminA)).send({ name: 'ckpt', path: 'ckpt' }).expect(400);
    expect(notModel.body.message).toMatch(/has no manifest\.json/);
    await a.http().post('/api/models').set(bearer(adminA)).send({ name: 'bad name!', path: folder }).expect(400);
    await a.http().get('/api/models').set(bearer(viewerA)).expect(403);

    // Removing a registered (not imported) version keeps the folder that tiny@1 still uses.
    const removed = await a.http().delete(`/api/models/${v2.body.id}`).set(bearer(adminA)).expect(200);
    expect(removed.body.ref).toBe('tiny@2');
    expect(fs.existsSync(path.join(folder, 'model.onnx'))).toBe(true);
    await a.http().get(`/api/models/${v2.body.id}`).set(bearer(adminA)).expect(404);

    // A registered folder that disappears later makes the model unavailable (503), not a 500.
    const copy = path.join(a.config.modelsDir, 'copy');
    fs.cpSync(folder, copy, { recursive: true });
    await a.http().post('/api/models').set(bearer(adminA)).send({ name: 'copy', path: 'copy' }).expect(201);
    fs.rmSync(copy, { recursive: true });
    const gone = await a.http().post('/v1/chat/completions').set(bearer(viewerA)).send({ model: 'copy', messages: [{ role: 'user', content: 'x' }] }).expect(503);
    expect(gone.body.error.message).toMatch(/^model "copy@1" cannot be loaded: .*copy is not a model folder/);
  });

  it('import: a broken checkpoint fails with its reason; an unknown architecture is refused at once; removing an import removes its folder', async () => {
    const broken = path.join(a.config.modelsDir, 'broken');
    createRandomCheckpoint(broken, { arch: 'mixtral', layers: 1, hidden: 64, intermediate: 64, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 1 });
    const weights = path.join(broken, 'model.safetensors');
    fs.truncateSync(weights, Math.floor(fs.statSync(weights).size / 2));
    const started = await a.http().post('/api/models/import').set(bearer(adminA)).send({ checkpoint: 'broken', name: 'broken', bits: 4 }).expect(202);
    const failed = await waitForModel(a, adminA, started.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/model\.safetensors/);
    expect(fs.existsSync(failed.folder as string)).toBe(false);
    await client.chat.completions.create({ model: 'broken', messages: [{ role: 'user', content: 'x' }] }).then(
      () => { throw new Error('a failed import served a request'); },
      (e: { status: number }) => expect(e.status).toBe(404),
    );

    const config = JSON.parse(fs.readFileSync(path.join(broken, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(broken, 'config.json'), JSON.stringify({ ...config, architectures: ['LlamaForCausalLM'], model_type: 'llama' }));
    const refused = await a.http().post('/api/models/import').set(bearer(adminA)).send({ checkpoint: 'broken', name: 'broken' }).expect(400);
    expect(refused.body.message).toMatch(/^checkpoint broken: /);
    await a.http().post('/api/models/import').set(bearer(adminA)).send({ checkpoint: 'ckpt', name: 'x', bits: 5 }).expect(400);

    // A second import of the good checkpoint is version 2 of its name, in its own folder; removing it deletes that folder.
    const again = await a.http().post('/api/models/import').set(bearer(adminA)).send({ checkpoint: 'ckpt', name: 'tiny4', bits: 4, baseModel: 'tiny' }).expect(202);
    const ready = await waitForModel(a, adminA, again.body.id);
    expect(ready).toMatchObject({ status: 'ready', bits: 4, lineage: { baseModel: 'tiny' } });
    expect(fs.existsSync(ready.folder as string)).toBe(true);
    await a.http().delete(`/api/models/${again.body.id}`).set(bearer(adminA)).expect(200);
    expect(fs.existsSync(ready.folder as string)).toBe(false);
  });

  it('the openai client: non-stream and streamed completions with usage, embeddings', async () => {
    const messages = [{ role: 'system' as const, content: 'You are terse.' }, { role: 'user' as const, content: '知库是什么? What is Zhiku?' }];
    const done = await client.chat.completions.create({ model: 'tiny@1', messages, max_tokens: 12, temperature: 0 });
    expect(done.object).toBe('chat.completion');
    expect(done.choices[0].message.role).toBe('assistant');
    expect(done.choices[0].finish_reason).toMatch(/^(stop|length)$/);
    const usage = done.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(10);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeLessThanOrEqual(12);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);

    const stream = await client.chat.completions.create({ model: 'tiny@1', messages, max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let streamedUsage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) streamedUsage = chunk.usage;
    }
    // Greedy decoding: the streamed text is the non-streamed one, token counts too.
    expect(text).toBe(done.choices[0].message.content);
    expect(finish).toBe(done.choices[0].finish_reason);
    expect(streamedUsage).toEqual(usage);
    expect(chunks).toBeGreaterThanOrEqual(3);
    const topP0 = await client.chat.completions.create({ model: 'tiny@1', messages, max_tokens: 12, top_p: 0 });
    expect(topP0.choices[0].message.content).toBe(done.choices[0].message.content);

    const embedded = await client.embeddings.create({ model: 'zhiku-hashed-v1-512', input: ['员工年假天数', 'annual leave days'] });
    expect(embedded.data).toHaveLength(2);
    expect(embedded.data[0].embedding).toHaveLength(512);
    const norm = Math.hypot(...embedded.data[0].embedding);
    expect(norm).toBeCloseTo(1, 4);
    const asFloats = await a.http().post('/v1/embeddings').set(bearer(viewerA)).send({ model: 'zhiku-hashed-v1-512', input: '员工年假天数', encoding_format: 'float' }).expect(200);
    expect(asFloats.body.data[0].embedding[0]).toBeCloseTo(embedded.data[0].embedding[0], 6);
    expect(asFloats.body.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('bad input answers 4xx in the OpenAI error shape', async () => {
    const error = async (body: Record<string, unknown>, status: number, path = '/v1/chat/completions') => {
      const res = await a.http().post(path).set(bearer(viewerA)).send(body).expect(status);
      expect(res.body.error).toEqual(expect.objectContaining({ message: expect.any(String), type: expect.any(String) }));
      return res.body.error as { message: string; type: string; code: string | null };
    };
    const user = [{ role: 'user', content: 'hello' }];
    expect(await error({ model: 'nope', messages: user }, 404)).toMatchObject({ code: 'model_not_found', type: 'invalid_request_error' });
    expect((await error({ model: 'tiny', messages: [] }, 400)).message).toMatch(/messages must be a non-empty array/);
    expect((await error({ model: 'tiny', messages: user, max_tokens: 0 }, 400)).message).toMatch(/max_tokens must be at least 1/);
    expect((await error({ model: 'tiny', messages: user, max_tokens: 5000 }, 400)).message).toMatch(/exceeds the context of 4096 tokens/);
    const long = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
    expect((await error({ model: 'tiny', messages: [{ role: 'user', content: long }] }, 400)).message).toMatch(/the prompt is \d+ tokens; model "tiny@1" has a context of 4096/);
    expect((await error({ model: 'tiny', messages: [{ role: 'robot', content: 'x' }] }, 400)).message).toMatch(/role must be one of/);
    expect((await error({ model: 'tiny', messages: user, n: 2 }, 400)).message).toMatch(/n must be 1/);
    expect((await error({ model: 'text-embedding-3-small', input: 'x' }, 404, '/v1/embeddings')).message).toMatch(/this server embeds with "zhiku-hashed-v1-512"/);
    expect((await error({ model: 'zhiku-hashed-v1-512', input: [] }, 400, '/v1/embeddings')).message).toMatch(/non-empty/);
    const unauthorised = await a.http().get('/v1/models').expect(401);
    expect(unauthorised.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('fair queue: a full queue answers 429; a client that disconnects cancels its generation and frees the slot', async () => {
    const generator = a.app.get(GeneratorService);
    const before = generator.generationCounts();
    const long = { model: 'endless', messages: [{ role: 'user', content: 'go on' }], max_tokens: 3500, stream: true };
    const running = new AbortController();
    const waiting = new AbortController();
    const first = fetch(`${urlA}/v1/chat/completions`, { method: 'POST', headers: { ...bearer(viewerA), 'content-type': 'application/json' }, body: JSON.stringify({ ...long, seed: 1 }), signal: running.signal });
    const firstResponse = await first;
    expect(firstResponse.status).toBe(200);
    const reader = firstResponse.body!.getReader();
    await reader.read(); // the first chunk: generation has its slot
    const second = fetch(`${urlA}/v1/chat/completions`, { method: 'POST', headers: { ...bearer(viewerA), 'content-type': 'application/json' }, body: JSON.stringify(long), signal: waiting.signal }).catch((e: Error) => e);
    for (let i = 0; i < 100 && generator.queueStats(endlessId).waiting === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(generator.queueStats(endlessId)).toEqual({ running: 1, waiting: 1 });
    const metrics = (await a.http().get('/metrics').expect(200)).text;
    expect(metrics).toContain('zhiku_generator_queue{model="endless@1",state="running"} 1');
    expect(metrics).toContain('zhiku_generator_queue{model="endless@1",state="waiting"} 1');

    const full = await a.http().post('/v1/chat/completions').set(bearer(viewerA)).send(long).expect(429);
    expect(full.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(full.body.error.message).toMatch(/model "endless@1" is busy: 1 generation\(s\) running and 1 waiting/);

    // Both clients go away: the waiting one leaves the line, the running one stops at the next token.
    waiting.abort();
    await second;
    for (let i = 0; i < 100 && generator.queueStats(endlessId).waiting > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(generator.queueStats(endlessId)).toEqual({ running: 1, waiting: 0 });
    running.abort();
    for (let i = 0; i < 250 && generator.queueStats(endlessId).running > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(generator.queueStats(endlessId)).toEqual({ running: 0, waiting: 0 });
    // It was stopped, not finished: it had no EOS and 3500 tokens take seconds here.
    expect(generator.generationCounts()).toEqual({ ...before, cancelled: before.cancelled + 1 });
    const after = await client.chat.completions.create({ model: 'endless', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(after.usage!.completion_tokens).toBe(3);
    expect(after.choices[0].finish_reason).toBe('length');
  });

  it('another Zhiku as an external OpenAI-compatible endpoint: streamed and not, errors passed on', async () => {
    const remote = await b.http().post('/api/models').set(bearer(adminB)).send({ name: 'far', provider: 'openai-compatible', baseUrl: `${urlA}/v1`, apiKey: viewerA, remoteModel: 'tiny@1' }).expect(201);
    expect(remote.body).toMatchObject({ ref: 'far@1', provider: 'openai-compatible', hasApiKey: true, remoteModel: 'tiny@1' });
    expect(JSON.stringify(remote.body)).not.toContain(viewerA);
    const viaB = new OpenAI({ baseURL: `${urlB}/v1`, apiKey: adminB, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'Hello from B' }];
    const direct = await client.chat.completions.create({ model: 'tiny@1', messages, max_tokens: 8, temperature: 0 });
    const forwarded = await viaB.chat.completions.create({ model: 'far', messages, max_tokens: 8, temperature: 0 });
    expect(forwarded.model).toBe('far@1');
    expect(forwarded.choices[0].message.content).toBe(direct.choices[0].message.content);
    expect(forwarded.usage).toEqual(direct.usage);

    const stream = await viaB.chat.completions.create({ model: 'far', messages, max_tokens: 8, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(direct.choices[0].message.content);
    expect(usage).toEqual(direct.usage);

    // A client leaving B closes B's request to A, and A stops generating.
    await b.http().post('/api/models').set(bearer(adminB)).send({ name: 'far-endless', provider: 'openai-compatible', baseUrl: `${urlA}/v1`, apiKey: viewerA, remoteModel: 'endless' }).expect(201);
    const onA = a.app.get(GeneratorService);
    const before = onA.generationCounts();
    const leaving = new AbortController();
    const res = await fetch(`${urlB}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(adminB), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'far-endless', messages, max_tokens: 3500, stream: true }),
      signal: leaving.signal,
    });
    await res.body!.getReader().read();
    leaving.abort();
    for (let i = 0; i < 250 && onA.generationCounts().cancelled === before.cancelled; i++) await new Promise((r) => setTimeout(r, 20));
    expect(onA.generationCounts()).toEqual({ ...before, cancelled: before.cancelled + 1 });
    expect(onA.queueStats(endlessId)).toEqual({ running: 0, waiting: 0 });

    // The endpoint's refusal comes back with its message; a dead endpoint or a bad key is a 502.
    const tooLong = await b.http().post('/v1/chat/completions').set(bearer(adminB)).send({ model: 'far', messages, max_tokens: 5000 }).expect(400);
    expect(tooLong.body.error.message).toMatch(/answered 400: max_tokens 5000 plus the/);
    await b.http().post('/api/models').set(bearer(adminB)).send({ name: 'far', provider: 'openai-compatible', baseUrl: `${urlA}/v1`, apiKey: 'zk_wrong', remoteModel: 'tiny@1' }).expect(201);
    const badKey = await b.http().post('/v1/chat/completions').set(bearer(adminB)).send({ model: 'far@2', messages }).expect(502);
    expect(badKey.body.error.message).toMatch(/answered 401.*check the API key/);
    await b.http().post('/api/models').set(bearer(adminB)).send({ name: 'dead', provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1' }).expect(201);
    const dead = await b.http().post('/v1/chat/completions').set(bearer(adminB)).send({ model: 'dead', messages }).expect(502);
    expect(dead.body.error.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/v1/);
  });
});
