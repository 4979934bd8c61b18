import { bearer, newKey, startTestApp, type TestApp } from './support/test-app';

jest.setTimeout(60_000);

const DRAFT = `---
name: faq.zh
description: 常见问题解答
task: qa
language: zh
variables:
  question: { type: string, required: true }
  context: { type: chunks, required: true }
  tone: { type: enum, values: [formal, casual], default: formal }
---
=== system ===
用{{ tone }}的语气回答。
=== user ===
{% for c in context %}[{{ c.index }}] {{ c.text }}
{% endfor %}
问题：{{ question }}
`;

describe('POST /api/prompts/preview: renders an unsaved template source', () => {
  let t: TestApp;
  let editor: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    editor = await newKey(t, 'editor', 'prompt editor');
    viewer = await newKey(t, 'viewer', 'reader');
  });
  afterAll(async () => t?.close());

  const preview = (body: object, key = editor) => t.http().post('/api/prompts/preview').set(bearer(key)).send(body);

  it('renders the text as given, with defaults filled in, and saves nothing', async () => {
    const res = await preview({ source: DRAFT, variables: { question: '年假几天？', context: ['入职满一年 10 天。', { text: '满十年 15 天。', index: 7 }] } }).expect(200);
    expect(res.body).toMatchObject({
      name: 'faq.zh',
      system: '用formal的语气回答。',
      user: '[1] 入职满一年 10 天。\n[7] 满十年 15 天。\n问题：年假几天？',
      messages: [{ role: 'system', content: '用formal的语气回答。' }, { role: 'user', content: expect.stringContaining('问题：年假几天？') }],
      chunksIncluded: { context: [1, 7] },
    });
    expect(res.body.version).toBeUndefined();
    expect(Object.keys(res.body.variables)).toEqual(['question', 'context', 'tone']);
    expect(res.body.variables.tone).toMatchObject({ type: 'enum', values: ['formal', 'casual'], default: 'formal' });
    await t.http().get('/api/prompts/faq.zh').set(bearer(viewer)).expect(404);
  });

  it('an edit of a shipped template previews the edit, not the saved version', async () => {
    const saved = (await t.http().get('/api/prompts/qa.zh').set(bearer(viewer)).expect(200)).body;
    const edited = saved.source.replace('=== user ===', '=== user ===\n【预览中的修改】');
    const variables = { question: '年假几天？', context: ['入职满一年 10 天。'] };
    const before = (await t.http().post('/api/prompts/qa.zh/render').set(bearer(viewer)).send({ variables }).expect(200)).body;
    const after = (await preview({ source: edited, variables }).expect(200)).body;
    expect(before.user).not.toContain('【预览中的修改】');
    expect(after.user).toMatch(/^【预览中的修改】/);
    expect(after.system).toBe(before.system);
  });

  it('a budget trims the context as a saved template would', async () => {
    const long = Array.from({ length: 6 }, (_, i) => `第 ${i + 1} 段：${'年假规定。'.repeat(60)}`);
    const res = await preview({ source: DRAFT, variables: { question: '年假几天？', context: long }, budget: 400 }).expect(200);
    expect(res.body.chunksTrimmed.context.length).toBeGreaterThan(0);
    expect(res.body.tokens).toBeLessThanOrEqual(400);
  });

  it('400 listing every front-matter problem of the source', async () => {
    const broken = DRAFT.replace('task: qa', 'task: 7').replace('type: enum, values: [formal, casual]', 'type: colour');
    const res = await preview({ source: broken, variables: {} }).expect(400);
    expect(res.body.details.problems.length).toBeGreaterThanOrEqual(2);
    expect(res.body.message).toMatch(/task/);
    expect(res.body.message).toMatch(/tone/);
    const noFront = await preview({ source: '问题：{{ question }}' }).expect(400);
    expect(noFront.body.message).toMatch(/front matter/);
    const syntax = await preview({ source: DRAFT.replace('{% endfor %}', '') , variables: { question: 'q', context: [] } }).expect(400);
    expect(syntax.body.message).toMatch(/syntax error/);
  });

  it('400 naming each bad variable; editors only', async () => {
    const res = await preview({ source: DRAFT, variables: { context: 'not a list', tone: 'angry', extra: 1 } }).expect(400);
    expect(res.body.details.variables.map((v: { variable: string }) => v.variable).sort()).toEqual(['context', 'extra', 'question', 'tone']);
    await preview({ source: DRAFT }, viewer).expect(403);
    expect((await preview({ variables: {} }).expect(400)).body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'source' })]));
  });
});
