import { startTestApp, TestApp } from './support/test-app';

jest.setTimeout(60_000);

describe('rate limiting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => t?.close());

  it('answers 429 in the error format once a client exceeds RATE_LIMIT_PER_MINUTE, before checking keys', async () => {
    for (let i = 0; i < 3; i++) await t.http().get('/api/keys').expect(401);
    const res = await t.http().get('/api/keys').expect(429);
    expect(res.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'too many requests; slow down and retry in a minute',
    });
  });

  it('never throttles /health and /metrics (probes and scrapers)', async () => {
    for (let i = 0; i < 5; i++) await t.http().get('/health').expect(200);
    await t.http().get('/metrics').expect(200);
  });
});
