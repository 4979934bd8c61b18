// Shared set-up of the browser tests: the real server on a temp data folder and a free port, and
// Debian's Chromium driven by playwright-core. No browser is downloaded: /usr/bin/chromium or
// CHROMIUM_PATH must exist (.ci/run apt-installs it).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_DATA = path.resolve(ROOT, '..', 'shared', 'data');
export const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
export const ADMIN_KEY = 'zk_browser_test_admin_key_0123456789abcdef';

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** `zhiku serve` from the build (npm run build ran first), on its own data folder. */
export async function startServer(extraEnv = {}) {
  if (!fs.existsSync(path.join(ROOT, 'dist/src')) || !fs.existsSync(path.join(ROOT, 'web/dist/index.html'))) {
    throw new Error('build first: npm run build (npm run test:browser does it)');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-browser-'));
  const port = await freePort();
  const logs = [];
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/zhiku.js'), 'serve', '--port', String(port)], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, ZHIKU_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn', HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '100000', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => logs.push(String(d)));
  child.stderr.on('data', (d) => logs.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${logs.join('')}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer /health in 120 s: ${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    dataDir,
    logs,
    api: async (method, p, body) => {
      const res = await fetch(url + p, {
        method,
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A tiny random MoE checkpoint (its text is nonsense), written by the CLI into a folder. */
export async function createRandomModel(dir) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/zhiku.js'), 'model', 'create-random', '--arch', 'qwen2_moe', dir, '--json'], { cwd: ROOT, stdio: 'pipe' });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`create-random failed (${code}): ${err}`);
}

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium`);
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A full-page screenshot for a person to look at (test-output/ is git-ignored). */
export async function shot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
