import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public, Roles } from '../auth/auth.decorators';
import { MetricsService } from './metrics.service';

@ApiTags('ops')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Public unless METRICS_PUBLIC=false (then an admin key is needed): it exposes counts and timings only. */
  @Get()
  @Public((config) => config.metricsPublic)
  @Roles('admin')
  @SkipThrottle()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics' })
  render(): Promise<string> {
    return this.metrics.render();
  }
}
