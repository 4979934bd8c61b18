// Builds the admin console into web/dist: one hashed JS bundle, one hashed CSS file and index.html.
// Run by `npm run build:web` (and so by `npm run build` / `npm start`); e2e tests call buildConsole().
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function buildConsole({ outdir = path.join(here, 'dist'), minify = true } = {}) {
  const started = Date.now();
  fs.rmSync(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { app: path.join(here, 'src/main.tsx') },
    bundle: true,
    minify,
    sourcemap: 'linked',
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir,
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`console build produced ${outputs.join(', ')}; expected a .js and a .css`);
  const html = fs.readFileSync(path.join(here, 'index.html'), 'utf8').replace('__JS__', js).replace('__CSS__', css);
  fs.writeFileSync(path.join(outdir, 'index.html'), html);
  const bytes = (f) => fs.statSync(path.join(outdir, f)).size;
  return { outdir, js, css, jsBytes: bytes(js), cssBytes: bytes(css), ms: Date.now() - started };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildConsole({ minify: !process.argv.includes('--dev') });
  console.log(`console built in ${out.ms} ms: ${out.js} ${(out.jsBytes / 1024).toFixed(1)} KiB, ${out.css} ${(out.cssBytes / 1024).toFixed(1)} KiB`);
}
