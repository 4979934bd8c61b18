import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SseDecoder } from '../web/src/api/sse-decoder';
import { bearer, startTestApp, TestApp } from './support/test-app';

const ROOT = path.resolve(__dirname, '..');
const KEY = 'zk_console_e2e_admin_key_0123456789';

describe('admin console served by the app', () => {
  let t: TestApp;
  let bundle: string;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'web/build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    bundle = fs.readdirSync(path.join(ROOT, 'web/dist')).find((f) => /^app-[A-Z0-9]+\.js$/.test(f))!;
    t = await startTestApp({ ZHIKU_ADMIN_KEY: KEY });
  }, 60_000);
  afterAll(() => t?.close());

  it('serves index.html at / and on a reload of a console page, without a key', async () => {
    for (const url of ['/', '/kb/123', '/prompts/qa.zh']) {
      const res = await t.http().get(url).set('Accept', 'text/html,application/xhtml+xml');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain(`<script src="/${bundle}">`);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    // The root is the console's address for any client, not only browsers.
    expect((await t.http().get('/').set('Accept', '*/*').expect(200)).text).toContain(`<script src="/${bundle}">`);
  });

  it('serves the hashed bundle as immutable JavaScript', async () => {
    const res = await t.http().get(`/${bundle}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('leaves API paths to the API: a 404 there is JSON, even for a browser', async () => {
    for (const url of ['/api/nothing-here', '/v1/nothing', '/api/knowledge-bases/00000000-0000-0000-0000-000000000000']) {
      const res = await t.http().get(url).set('Accept', 'text/html').set(bearer(KEY));
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
    const unauthenticated = await t.http().get('/api/keys/me').set('Accept', 'text/html');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.statusCode).toBe(401);
  });

  it('does not answer non-page requests with the console', async () => {
    const json = await t.http().get('/no-such-file.json').set('Accept', 'application/json');
    expect(json.status).toBe(404);
    expect(json.body.statusCode).toBe(404);
    const post = await t.http().post('/kb').set('Accept', 'text/html').send({});
    expect(post.status).toBe(404);
    const climb = await t.http().get('/..%2fpackage.json').set('Accept', 'application/json');
    expect(climb.status).toBe(404);
    expect(climb.text).not.toContain('"name": "zhiku"');
  });

  it('keeps /health and /docs-json as they were', async () => {
    expect((await t.http().get('/health').set('Accept', 'text/html')).headers['content-type']).toMatch(/json/);
    expect((await t.http().get('/docs-json').set('Accept', 'text/html')).body.openapi).toBeDefined();
  });
});

describe("the console's server-sent events decoder", () => {
  const stream = 'event: meta\ndata: {"mode":"extractive"}\n\n: keep-alive\n\nevent: token\ndata: {"text":"共同"}\n\nevent: token\r\ndata: {"text":"目标"}\r\n\r\ndata: line one\ndata: line two\n\n';
  const expected = [
    { event: 'meta', data: { mode: 'extractive' } },
    { event: 'token', data: { text: '共同' } },
    { event: 'token', data: { text: '目标' } },
    { event: 'message', data: 'line one\nline two' },
  ];

  it('decodes named JSON events, skips comments, joins data lines, takes CRLF', () => {
    expect(new SseDecoder().push(stream)).toEqual(expected);
  });

  it('gives the same events however the network splits the text', () => {
    for (const size of [1, 2, 3, 7, 16]) {
      const decoder = new SseDecoder();
      const events = [];
      for (let i = 0; i < stream.length; i += size) events.push(...decoder.push(stream.slice(i, i + size)));
      expect(events).toEqual(expected);
    }
  });

  it('holds an unfinished event until its blank line arrives', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('event: done\ndata: {"answer":"x"}\n')).toEqual([]);
    expect(decoder.push('\n')).toEqual([{ event: 'done', data: { answer: 'x' } }]);
  });
});
