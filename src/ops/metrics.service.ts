import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { JobQueue } from '../jobs/job-queue';

/** Prometheus metrics of this process; a registry per app so tests can run several apps at once. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'zhiku_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'zhiku_http_request_duration_seconds',
    help: 'HTTP request latency in seconds, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(queue: JobQueue) {
    collectDefaultMetrics({ register: this.registry, prefix: 'zhiku_' });
    new Gauge({
      name: 'zhiku_jobs',
      help: 'Jobs in the ledger by status (read at scrape time)',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const health = await queue.health();
        for (const [status, count] of Object.entries(health.counts ?? {})) this.set({ status }, count);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
