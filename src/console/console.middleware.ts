import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { findConsoleDir, isApiPath } from './console-files';

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Zhiku</title>
<p>The admin console has not been built. Run <code>npm run build:web</code> (or <code>npm run build</code>) and reload.</p>
<p>管理控制台尚未构建。请运行 <code>npm run build:web</code>（或 <code>npm run build</code>）后刷新。</p>`;

/**
 * Serves the built console: a file under web/dist when the path names one, index.html at `/` (the
 * console's address, whatever the client accepts: `curl localhost:3000/` shows what is there), and
 * index.html for other page loads (GET that accepts text/html), so that /kb/123 reloads into the app.
 * Anything else, and every API path, goes on to Nest and its JSON answers.
 */
@Injectable()
export class ConsoleMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Console');
  private readonly root = findConsoleDir();
  private warned = false;

  use(req: Request, res: Response, next: NextFunction): void {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) return next();
    if (!this.root) return this.notBuilt(req, res, next);
    const file = this.staticFile(req.path);
    if (file) {
      // Bundles carry a content hash in their name; index.html must be checked on every load.
      const immutable = /-[A-Z0-9]{8}\.(js|css)(\.map)?$/.test(file);
      res.sendFile(file, { headers: { 'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' } }, (err) => err && next(err));
      return;
    }
    const pageLoad = req.accepts('html') && (req.headers.accept ?? '').includes('text/html');
    if (req.path !== '/' && !pageLoad) return next();
    res.sendFile(path.join(this.root, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } }, (err) => err && next(err));
  }

  /** The file a path names inside web/dist, or null; never a path that climbs out of it. */
  private staticFile(urlPath: string): string | null {
    if (urlPath === '/' || !this.root) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    const file = path.resolve(this.root, `.${decoded}`);
    if (!file.startsWith(this.root + path.sep)) return null;
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ? file : null;
  }

  private notBuilt(req: Request, res: Response, next: NextFunction): void {
    if (!(req.headers.accept ?? '').includes('text/html')) return next();
    if (!this.warned) {
      this.warned = true;
      this.logger.warn('the admin console is not built (no web/dist/index.html); run npm run build:web');
    }
    res.status(503).type('html').send(NOT_BUILT);
  }
}
