import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './config.errors';
import {
  parseBoolean,
  parseByteSize,
  parseInteger,
  parseModelFolder,
  parseOneOf,
  parseUrl,
} from './config.parsers';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The whole configuration of a Zhiku process, built once at start-up by `loadConfig`. */
export interface AppConfig {
  /** HTTP port of `zhiku serve`. */
  port: number;
  host: string;
  /** Absolute path; holds pgdata/ (embedded database), files/, models/ unless overridden. */
  dataDir: string;
  /** External PostgreSQL (with pgvector); undefined means the embedded PGlite in dataDir/pgdata. */
  databaseUrl?: string;
  databasePoolSize: number;
  /** Milliseconds to wait for an external database before giving up with a clear error. */
  databaseConnectTimeoutMs: number;
  /** BullMQ on Redis; undefined means the in-process queue. */
  redisUrl?: string;
  /** A fixed first admin key (otherwise one is generated and printed once at first start). */
  adminKey?: string;
  /** Largest JSON or form body in bytes. */
  bodyLimitBytes: number;
  /** Largest uploaded file in bytes. */
  uploadLimitBytes: number;
  /** Requests per client per minute on the HTTP API. */
  rateLimitPerMinute: number;
  jobConcurrency: number;
  /**
   * tesseract workers shared by all ingestion jobs of a process. One worker reads one page at a time
   * on one core, so with fewer workers than concurrent jobs the jobs' OCR waits in line (measured: 2
   * workers read 6 pages in 1.3 s where 1 took 2.5 s, for about 60-80 MB more memory).
   */
  ocrWorkers: number;
  modelsDir: string;
  filesDir: string;
  logLevel: LogLevel;
  /** When false, /metrics needs an admin key like any other endpoint. */
  metricsPublic: boolean;
  /** Days an audit event is kept before it is pruned. */
  auditRetentionDays: number;
  /**
   * 64 hex characters (`openssl rand -hex 32`): the AES-256 key that seals secrets carried by jobs
   * (passwords of encrypted uploads). Unset: generated once into `secretKeyFile`. Set it to the same
   * value on every process when API and workers do not share DATA_DIR.
   */
  secretKey?: string;
  /** Where the generated key is kept when ZHIKU_SECRET_KEY is unset (mode 0600). */
  secretKeyFile: string;
  /**
   * Folder of an ONNX text encoder (model.onnx + tokenizer.json + embedder.json) that new knowledge
   * bases embed with; undefined means the built-in hashed-features embedder (docs/retrieval.md).
   */
  retrievalEmbedderDir?: string;
  /** Folder of an ONNX cross-encoder (model.onnx + tokenizer.json + reranker.json) for `rerank: true`. */
  retrievalRerankerDir?: string;
  /** Generations one model runs at once (each ONNX slot holds its own KV cache). */
  generatorConcurrency: number;
  /** Requests that may wait per model beyond those running; one more is answered 429. */
  generatorQueueLimit: number;
  /** ONNX Runtime intra-op threads per loaded model. */
  generatorThreads: number;
  /** ONNX Runtime execution provider for served models. */
  generatorExecutionProvider: 'cpu' | 'cuda';
}

/** Values from the command line (`--data DIR`) that win over the environment. */
export interface ConfigOverrides {
  dataDir?: string;
}

type Env = Record<string, string | undefined>;

/**
 * Reads every variable, applies defaults and validates; throws one ConfigError naming all bad
 * values. This is the only place in Zhiku that reads the environment.
 */
export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}, cwd = process.cwd()): AppConfig {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T): T => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return parse(raw);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      return fallback;
    }
  };

  const dataDir = path.resolve(cwd, overrides.dataDir ?? read('DATA_DIR', './data', (raw) => raw));
  const jobConcurrency = read('JOB_CONCURRENCY', 2, (raw) => parseInteger(raw, 1, 64));
  const adminKey = read<string | undefined>('ZHIKU_ADMIN_KEY', undefined, (raw) => {
    if (raw.trim().length < 24) throw new Error('must be at least 24 characters (use a long random value)');
    return raw.trim();
  });
  const config: AppConfig = {
    port: read('PORT', 3000, (raw) => parseInteger(raw, 0, 65535)),
    host: read('HOST', '0.0.0.0', (raw) => raw.trim()),
    dataDir,
    databaseUrl: read<string | undefined>('DATABASE_URL', undefined, (raw) =>
      parseUrl(raw, ['postgres:', 'postgresql:']),
    ),
    databasePoolSize: read('DATABASE_POOL_SIZE', 10, (raw) => parseInteger(raw, 1, 200)),
    databaseConnectTimeoutMs: read('DATABASE_CONNECT_TIMEOUT_MS', 10_000, (raw) => parseInteger(raw, 100, 600_000)),
    redisUrl: read<string | undefined>('REDIS_URL', undefined, (raw) => parseUrl(raw, ['redis:', 'rediss:'])),
    adminKey,
    bodyLimitBytes: read('BODY_LIMIT', parseByteSize('1mb'), parseByteSize),
    uploadLimitBytes: read('UPLOAD_LIMIT', parseByteSize('200mb'), parseByteSize),
    rateLimitPerMinute: read('RATE_LIMIT_PER_MINUTE', 600, (raw) => parseInteger(raw, 1, 1_000_000)),
    jobConcurrency,
    ocrWorkers: read('OCR_WORKERS', Math.max(1, Math.min(jobConcurrency, availableParallelism())), (raw) => parseInteger(raw, 1, 64)),
    modelsDir: path.resolve(cwd, read('MODELS_DIR', path.join(dataDir, 'models'), (raw) => raw)),
    filesDir: path.resolve(cwd, read('FILES_DIR', path.join(dataDir, 'files'), (raw) => raw)),
    logLevel: read<LogLevel>('LOG_LEVEL', 'info', (raw) => parseOneOf(raw, LOG_LEVELS)),
    metricsPublic: read('METRICS_PUBLIC', true, parseBoolean),
    auditRetentionDays: read('AUDIT_RETENTION_DAYS', 365, (raw) => parseInteger(raw, 1, 36_500)),
    secretKey: read<string | undefined>('ZHIKU_SECRET_KEY', undefined, (raw) => {
      if (!/^[0-9a-f]{64}$/i.test(raw.trim())) throw new Error('expected 64 hex characters (a 256-bit key, e.g. from `openssl rand -hex 32`)');
      return raw.trim().toLowerCase();
    }),
    secretKeyFile: path.resolve(cwd, read('SECRET_KEY_FILE', path.join(dataDir, 'secret.key'), (raw) => raw)),
    retrievalEmbedderDir: read<string | undefined>('RETRIEVAL_EMBEDDER_DIR', undefined, (raw) => parseModelFolder(raw, cwd, 'embedder.json')),
    retrievalRerankerDir: read<string | undefined>('RETRIEVAL_RERANKER_DIR', undefined, (raw) => parseModelFolder(raw, cwd, 'reranker.json')),
    generatorConcurrency: read('GENERATOR_CONCURRENCY', 1, (raw) => parseInteger(raw, 1, 64)),
    generatorQueueLimit: read('GENERATOR_QUEUE_LIMIT', 16, (raw) => parseInteger(raw, 0, 10_000)),
    generatorThreads: read('GENERATOR_THREADS', 2, (raw) => parseInteger(raw, 1, 256)),
    generatorExecutionProvider: read<'cpu' | 'cuda'>('GENERATOR_EXECUTION_PROVIDER', 'cpu', (raw) => parseOneOf(raw, ['cpu', 'cuda'] as const)),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
