import { bearer, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(60_000);

interface Event {
  id: string;
  keyName: string | null;
  role: string | null;
  method: string;
  path: string;
  route: string | null;
  status: number;
}

describe('audit trail over HTTP', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = t.adminKey as string;
  });
  afterAll(async () => t?.close());

  /** The events are written after each response is sent, so wait for the expected count. */
  async function eventsUntil(count: number, query = ''): Promise<Event[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const items: Event[] = (await t.http().get(`/api/audit${query}`).set(bearer(admin)).expect(200)).body.items;
      if (items.length >= count || Date.now() > deadline) return items;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('records who changed what, refused attempts too, and never plain reads', async () => {
    const editor = (await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'kb-editor', role: 'editor' }).expect(201)).body;
    const kb = (await t.http().post('/api/knowledge-bases').set(bearer(editor.key)).send({ name: 'contracts' }).expect(201)).body;
    await t.http().get(`/api/knowledge-bases/${kb.id}`).set(bearer(editor.key)).expect(200);
    // An editor may not create keys: the refusal is recorded with the key that tried.
    await t.http().post('/api/keys').set(bearer(editor.key)).send({ name: 'sneaky', role: 'admin' }).expect(403);
    await t.http().get('/api/audit').set(bearer(editor.key)).expect(403);
    await t.http().delete(`/api/knowledge-bases/${kb.id}?x=secret`).set(bearer('zk_not-a-key')).expect(401);

    const events = await eventsUntil(5);
    expect(events.map((e) => [e.method, e.path, e.status, e.keyName])).toEqual([
      ['DELETE', `/api/knowledge-bases/${kb.id}`, 401, null],
      ['GET', '/api/audit', 403, 'kb-editor'],
      ['POST', '/api/keys', 403, 'kb-editor'],
      ['POST', '/api/knowledge-bases', 201, 'kb-editor'],
      ['POST', '/api/keys', 201, 'first admin'],
    ]);
    expect(events[3]).toMatchObject({ role: 'editor', route: '/api/knowledge-bases' });
    expect(Number(events[0].id)).toBeGreaterThan(Number(events[1].id));
  });

  it('pages with next/before, filters by key, and refuses a bad cursor', async () => {
    const first = (await t.http().get('/api/audit?limit=2').set(bearer(admin)).expect(200)).body;
    expect(first.items).toHaveLength(2);
    const second = (await t.http().get(`/api/audit?limit=2&before=${first.next}`).set(bearer(admin)).expect(200)).body;
    expect(Number(second.items[0].id)).toBeLessThan(Number(first.items[1].id));
    const keys = (await t.http().get('/api/keys').set(bearer(admin)).expect(200)).body as Array<{ id: string; name: string }>;
    const editorId = keys.find((k) => k.name === 'kb-editor')!.id;
    const mine = (await t.http().get(`/api/audit?keyId=${editorId}`).set(bearer(admin)).expect(200)).body.items as Event[];
    expect(mine.length).toBe(3);
    expect(mine.every((e) => e.keyName === 'kb-editor')).toBe(true);
    expect((await t.http().get('/api/audit?before=abc').set(bearer(admin)).expect(400)).body.message).toMatch(/before must be an event id/);
    expect((await t.http().get('/api/audit?limit=0').set(bearer(admin)).expect(400)).body.message).toMatch(/limit/);
  });
});
