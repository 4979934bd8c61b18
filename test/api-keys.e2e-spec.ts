import { bearer, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(60_000);

describe('PATCH /api/keys/:id: role and knowledge-base grants of an existing key', () => {
  let t: TestApp;
  let admin: string;
  let kbA: string;
  let kbB: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = t.adminKey as string;
    kbA = (await t.http().post('/api/knowledge-bases').set(bearer(admin)).send({ name: 'contracts' }).expect(201)).body.id;
    kbB = (await t.http().post('/api/knowledge-bases').set(bearer(admin)).send({ name: 'handbook' }).expect(201)).body.id;
  });
  afterAll(async () => t?.close());

  const visibleTo = async (key: string) =>
    ((await t.http().get('/api/knowledge-bases').set(bearer(key)).expect(200)).body as Array<{ id: string }>).map((kb) => kb.id).sort();

  it('new grants and role hold from the key\'s next request', async () => {
    const created = (await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'reader', role: 'viewer', knowledgeBaseIds: [kbA] }).expect(201)).body;
    expect(await visibleTo(created.key)).toEqual([kbA]);
    await t.http().post('/api/knowledge-bases').set(bearer(created.key)).send({ name: 'nope' }).expect(403);

    const changed = await t.http().patch(`/api/keys/${created.id}`).set(bearer(admin)).send({ role: 'editor', knowledgeBaseIds: [kbB] }).expect(200);
    expect(changed.body).toMatchObject({ id: created.id, role: 'editor', knowledgeBases: [kbB], revokedAt: null });
    expect(JSON.stringify(changed.body)).not.toContain(created.key);
    expect(await visibleTo(created.key)).toEqual([kbB]);
    expect((await t.http().get('/api/keys/me').set(bearer(created.key)).expect(200)).body).toMatchObject({ role: 'editor', knowledgeBases: [kbB] });

    // null lifts the limit; a role-only change keeps the grants as they are.
    await t.http().patch(`/api/keys/${created.id}`).set(bearer(admin)).send({ knowledgeBaseIds: null }).expect(200);
    expect(await visibleTo(created.key)).toEqual([kbA, kbB].sort());
    const roleOnly = await t.http().patch(`/api/keys/${created.id}`).set(bearer(admin)).send({ role: 'viewer' }).expect(200);
    expect(roleOnly.body).toMatchObject({ role: 'viewer', knowledgeBases: 'all' });
    const listed = (await t.http().get('/api/keys').set(bearer(admin)).expect(200)).body.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ role: 'viewer', knowledgeBases: 'all' });
  });

  it('refuses grants naming no knowledge base, bad fields, an empty change and a revoked key', async () => {
    const key = (await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'limited', role: 'viewer', knowledgeBaseIds: [kbA] }).expect(201)).body;
    const missing = '5b0e7a4e-2f7c-4a55-9a64-0e6f3f3f7a10';
    const unknown = await t.http().patch(`/api/keys/${key.id}`).set(bearer(admin)).send({ knowledgeBaseIds: [kbB, missing] }).expect(400);
    expect(unknown.body.message).toBe(`knowledgeBaseIds: no knowledge base with id ${missing}`);
    expect(await visibleTo(key.key)).toEqual([kbA]);

    const bad = await t.http().patch(`/api/keys/${key.id}`).set(bearer(admin)).send({ role: 'owner', knowledgeBaseIds: ['x'] }).expect(400);
    expect(bad.body.details).toEqual(expect.arrayContaining([{ field: 'role', messages: ['role must be one of: viewer, editor, admin'] }, expect.objectContaining({ field: 'knowledgeBaseIds' })]));
    expect((await t.http().patch(`/api/keys/${key.id}`).set(bearer(admin)).send({}).expect(400)).body.message).toMatch(/^nothing to change/);
    await t.http().patch('/api/keys/no-such-key').set(bearer(admin)).send({ role: 'viewer' }).expect(404);

    await t.http().delete(`/api/keys/${key.id}`).set(bearer(admin)).expect(200);
    expect((await t.http().patch(`/api/keys/${key.id}`).set(bearer(admin)).send({ role: 'editor' }).expect(409)).body.message).toMatch(/is revoked/);
  });

  it('only an admin may change keys, and the last admin key cannot be demoted', async () => {
    const editor = (await t.http().post('/api/keys').set(bearer(admin)).send({ name: 'ed', role: 'editor' }).expect(201)).body;
    await t.http().patch(`/api/keys/${editor.id}`).set(bearer(editor.key)).send({ role: 'admin' }).expect(403);

    const adminId = (await t.http().get('/api/keys/me').set(bearer(admin))).body.keyId;
    const refused = await t.http().patch(`/api/keys/${adminId}`).set(bearer(admin)).send({ role: 'editor' }).expect(409);
    expect(refused.body.message).toMatch(/last active admin key/);
    // Limiting the last admin's grants is allowed: it keeps the admin role.
    await t.http().patch(`/api/keys/${adminId}`).set(bearer(admin)).send({ role: 'admin', knowledgeBaseIds: null }).expect(200);

    // With a second admin, the first may step down.
    await t.http().patch(`/api/keys/${editor.id}`).set(bearer(admin)).send({ role: 'admin' }).expect(200);
    await t.http().patch(`/api/keys/${adminId}`).set(bearer(editor.key)).send({ role: 'editor' }).expect(200);
    await t.http().get('/api/keys').set(bearer(admin)).expect(403);
  });
});
