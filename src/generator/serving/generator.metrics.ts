import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Gauge } from 'prom-client';
import { MetricsService } from '../../ops/metrics.service';
import { GeneratorService } from './generator.service';

/**
 * Queue depth and generation outcomes on /metrics. Read at scrape time from GeneratorService; only
 * the api role has a MetricsService, so elsewhere this does nothing.
 */
@Injectable()
export class GeneratorMetrics implements OnModuleInit {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly generator: GeneratorService,
  ) {}

  onModuleInit(): void {
    let metrics: MetricsService;
    try {
      metrics = this.moduleRef.get(MetricsService, { strict: false });
    } catch {
      return;
    }
    const generator = this.generator;
    new Gauge({
      name: 'zhiku_generator_queue',
      help: 'Generations per model version, running or waiting in its fair queue (read at scrape time)',
      labelNames: ['model', 'state'] as const,
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const lane of generator.lanesInUse()) {
          this.set({ model: lane.label, state: 'running' }, lane.running);
          this.set({ model: lane.label, state: 'waiting' }, lane.waiting);
        }
      },
    });
    new Gauge({
      name: 'zhiku_generations',
      help: 'Generations since start by outcome: completed, cancelled (client left), failed',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
      collect() {
        for (const [outcome, count] of Object.entries(generator.generationCounts())) this.set({ outcome }, count);
      },
    });
  }
}
