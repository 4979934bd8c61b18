import { Logger } from '@nestjs/common';
import { MetricsService } from './metrics.service';

interface Req {
  method: string;
  originalUrl: string;
  baseUrl?: string;
  route?: { path?: string };
}
interface Res {
  statusCode: number;
  on(event: 'finish', listener: () => void): void;
}

const QUIET = new Set(['/health', '/metrics']);

/**
 * Times every request (also those refused before routing) for /metrics and writes one access log
 * line. The route label is the route pattern (/api/jobs/:id), never the raw path, to bound its values.
 */
export function requestMetricsMiddleware(metrics: MetricsService) {
  const logger = new Logger('Http');
  return (req: Req, res: Res, next: () => void): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      metrics.observeRequest(req.method, route, res.statusCode, seconds);
      const path = req.originalUrl.split('?')[0];
      const entry = { msg: 'request', method: req.method, path, route, status: res.statusCode, ms: Math.round(seconds * 1000) };
      if (QUIET.has(path)) logger.debug(entry);
      else logger.log(entry);
    });
    next();
  };
}
