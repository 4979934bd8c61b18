import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '../config';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * The HTTP role's operability: /health, /metrics, the error filter and rate limiting. The rate
 * limit counts per client address per process (several API processes each allow the full rate).
 * Its guard is registered before AuthGuard (AppModule imports OpsModule first), so key guessing
 * is throttled too.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
    }),
  ],
  controllers: [HealthController, MetricsController],
  providers: [
    MetricsService,
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
  exports: [MetricsService],
})
export class OpsModule {}
