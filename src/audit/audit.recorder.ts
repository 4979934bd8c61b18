import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { AuthContext } from '../auth/roles';
import { APP_CONFIG, AppConfig } from '../config';
import { AuditRepository } from './audit.repository';

interface Req {
  method: string;
  originalUrl: string;
  baseUrl?: string;
  route?: { path?: string };
  ip?: string;
  auth?: AuthContext;
}
interface Res {
  statusCode: number;
  on(event: 'finish', listener: () => void): void;
}

/** Reads change nothing; they are audited only when refused (a key probing what it may not see). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const AUDITED_PREFIXES = ['/api/', '/v1/'];
const PRUNE_EVERY_MS = 6 * 3600_000;

/**
 * Writes one audit event per state-changing API request after its response is sent, so the
 * status is the real one and the caller never waits for the audit write. A failed write is
 * logged, never turned into a failed request.
 */
@Injectable()
export class AuditRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly pending = new Set<Promise<void>>();
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repository: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.track(this.prune());
    this.pruneTimer = setInterval(() => this.track(this.prune()), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await Promise.all([...this.pending]);
  }

  middleware() {
    return (req: Req, res: Res, next: () => void): void => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const path = req.originalUrl.split('?')[0];
        if (!shouldAudit(req.method, path, res.statusCode)) return;
        const auth = req.auth;
        this.track(
          this.repository
            .insert({
              keyId: auth?.keyId ?? null,
              keyName: auth?.keyName ?? null,
              role: auth?.role ?? null,
              method: req.method,
              path: path.slice(0, 2000),
              route: req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : null,
              status: res.statusCode,
              durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
              client: req.ip?.slice(0, 100) ?? null,
            })
            .catch((e: Error) => this.logger.error(`could not record ${req.method} ${path}: ${e.message}`)),
        );
      });
      next();
    };
  }

  private async prune(): Promise<void> {
    try {
      const removed = await this.repository.prune(this.config.auditRetentionDays);
      if (removed > 0) this.logger.log(`pruned ${removed} audit events older than ${this.config.auditRetentionDays} days`);
    } catch (e) {
      this.logger.error(`could not prune audit events: ${(e as Error).message}`);
    }
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }
}

export function shouldAudit(method: string, path: string, status: number): boolean {
  if (!AUDITED_PREFIXES.some((prefix) => path.startsWith(prefix))) return false;
  return !SAFE_METHODS.has(method) || status === 401 || status === 403;
}
