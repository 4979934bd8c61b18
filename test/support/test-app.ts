import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createHttpApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config';
import { freshDataDir } from '../../src/database/testing/embedded-template';
import { JsonLogger } from '../../src/ops/json.logger';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** The first admin key the server printed at start. */
  adminKey: string | null;
  /** JSON log lines the app wrote. */
  logs: string[];
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The real API server on a fresh (or given) data directory, without listening on a port.
 * LOG_LEVEL defaults to warn; the log lines are kept for assertions instead of printed.
 */
export async function startTestApp(env: Record<string, string> = {}, dataDir?: string): Promise<TestApp> {
  const dir = dataDir ?? (await freshDataDir());
  const config = loadConfig({ LOG_LEVEL: 'warn', DATA_DIR: dir, ...env });
  const logs: string[] = [];
  let adminKey: string | null = null;
  const app = await createHttpApp(config, {
    printFirstAdmin: (key) => (adminKey = key),
    logger: new JsonLogger(config.logLevel, (line) => logs.push(line)),
  });
  return {
    app,
    config,
    get adminKey() {
      return adminKey;
    },
    logs,
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** A new API key of that role, made with the first admin key; returns the key itself. */
export async function newKey(t: TestApp, role: 'admin' | 'editor' | 'viewer', name: string = role, knowledgeBaseIds?: string[]): Promise<string> {
  const res = await t.http().post('/api/keys').set(bearer(t.adminKey!)).send({ name, role, ...(knowledgeBaseIds ? { knowledgeBaseIds } : {}) }).expect(201);
  return res.body.key as string;
}
