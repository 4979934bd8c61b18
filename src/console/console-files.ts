import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where `npm run build:web` put the console: web/dist at the repository root. Looked for upwards
 * from this file because it runs from src/ under jest and from dist/src/ when built.
 */
export function findConsoleDir(from = __dirname): string | null {
  let dir = from;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'web', 'dist');
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** Paths the API owns: never answered with the console, so their 404s stay JSON. */
const API_PREFIXES = ['/api', '/v1', '/docs', '/health', '/metrics'];

export function isApiPath(urlPath: string): boolean {
  return API_PREFIXES.some((p) => urlPath === p || urlPath.startsWith(`${p}/`) || urlPath.startsWith(`${p}-`));
}
