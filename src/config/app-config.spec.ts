import * as path from 'node:path';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './index';

describe('loadConfig', () => {
  it('gives every value a default when nothing is set', () => {
    const config = loadConfig({}, {}, '/srv/zhiku');
    expect(config).toMatchObject({
      port: 3000,
      dataDir: '/srv/zhiku/data',
      modelsDir: '/srv/zhiku/data/models',
      filesDir: '/srv/zhiku/data/files',
      databaseUrl: undefined,
      redisUrl: undefined,
      bodyLimitBytes: 1024 * 1024,
      logLevel: 'info',
    });
  });

  it('lets --data win over DATA_DIR and derives the file and model folders from it', () => {
    const config = loadConfig({ DATA_DIR: '/a' }, { dataDir: 'b' }, '/srv');
    expect(config.dataDir).toBe(path.resolve('/srv/b'));
    expect(config.filesDir).toBe(path.resolve('/srv/b/files'));
  });

  it('parses sizes, urls and levels', () => {
    const config = loadConfig({
      BODY_LIMIT: '512kb',
      UPLOAD_LIMIT: '2gb',
      DATABASE_URL: 'postgres://u:p@db:5432/zhiku',
      REDIS_URL: 'redis://cache:6379',
      LOG_LEVEL: 'DEBUG',
      METRICS_PUBLIC: 'false',
    });
    expect(config.bodyLimitBytes).toBe(512 * 1024);
    expect(config.uploadLimitBytes).toBe(2 * 1024 ** 3);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/zhiku');
    expect(config.logLevel).toBe('debug');
    expect(config.metricsPublic).toBe(false);
  });

  it('gives OCR as many workers as jobs run at once, up to the cores, unless OCR_WORKERS says', () => {
    expect(loadConfig({ JOB_CONCURRENCY: '1' }).ocrWorkers).toBe(1);
    expect(loadConfig({ JOB_CONCURRENCY: '64' }).ocrWorkers).toBe(availableParallelism());
    expect(loadConfig({ JOB_CONCURRENCY: '1', OCR_WORKERS: '3' }).ocrWorkers).toBe(3);
    expect(() => loadConfig({ OCR_WORKERS: '0' })).toThrow(/OCR_WORKERS/);
  });

  it('lists every bad value at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', BODY_LIMIT: 'huge', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', ZHIKU_ADMIN_KEY: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/PORT: expected a whole number, got "eighty"/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL: expected a postgres: or postgresql: URL/);
    expect((error as Error).message).toMatch(/^invalid configuration:/);
  });

  it('takes retrieval model folders that hold a tokenizer, and names the one that does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhiku-config-'));
    try {
      mkdirSync(join(dir, 'encoder'));
      writeFileSync(join(dir, 'encoder', 'tokenizer.json'), '{}');
      expect(loadConfig({ RETRIEVAL_EMBEDDER_DIR: 'encoder' }, {}, dir).retrievalEmbedderDir).toBe(join(dir, 'encoder'));
      expect(loadConfig({}, {}, dir).retrievalRerankerDir).toBeUndefined();
      expect(() => loadConfig({ RETRIEVAL_EMBEDDER_DIR: 'missing', RETRIEVAL_RERANKER_DIR: '.' }, {}, dir)).toThrow(
        /RETRIEVAL_EMBEDDER_DIR: expected a folder with model.onnx[^\n]*\n?.*RETRIEVAL_RERANKER_DIR: .* lacks tokenizer.json/s,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
