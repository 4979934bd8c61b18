import { bearer, type TestApp } from './test-app';

/** Polls each uploaded document until it is ready; a failed one (or the deadline) throws with its reason. */
export async function waitUntilReady(t: TestApp, key: string, documentIds: readonly string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const id of documentIds) {
    for (;;) {
      const doc = (await t.http().get(`/api/documents/${id}`).set(bearer(key)).expect(200)).body;
      if (doc.status === 'ready') break;
      if (doc.status === 'failed' || Date.now() > deadline) throw new Error(`document ${id} is ${doc.status}: ${doc.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
