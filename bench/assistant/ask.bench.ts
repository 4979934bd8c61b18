/**
 * /api/ask with a small random MoE model: time to first token and total latency of streamed answers
 * at 1, 4 and 16 concurrent clients, and what retrieval + prompt rendering cost on top of generation.
 *
 *   npx tsc -p tsconfig.build.json --outDir /tmp/zk-build && node /tmp/zk-build/bench/assistant/ask.bench.js
 *        [--tokens 32] [--threads 2] [--concurrency 2]
 *
 * The knowledge base holds pdfjs__tracemonkey.pdf (14 pages). Answers are capped at --tokens tokens
 * (a random model may stop earlier at EOS). Prints a table and, last, one JSON line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssistantService } from '../../src/assistant';
import { createHttpApp } from '../../src/app.factory';
import type { AuthContext } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { freshDataDir } from '../../src/database/testing/embedded-template';
import { createRandomCheckpoint, importModel } from '../../src/moe';
import { JsonLogger } from '../../src/ops/json.logger';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TOKENS = arg('tokens', 32);
const THREADS = arg('threads', 2);
const CONCURRENCY = arg('concurrency', 2);
const SHAPE = { arch: 'qwen2_moe' as const, layers: 2, hidden: 128, intermediate: 256, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 512, seed: 1 };
const PDF = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data', 'docs', 'pdf', 'pdfjs__tracemonkey.pdf');
const QUESTIONS = [
  'How many users does the Firefox web browser have?',
  'How many programs does SunSpider consist of?',
  'What is the trace compilation subsystem called?',
  'Which interpreter is TraceMonkey based on?',
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const pdf = fs.existsSync(PDF) ? PDF : path.resolve(process.cwd(), '..', 'shared', 'data', 'docs', 'pdf', 'pdfjs__tracemonkey.pdf');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-ask-bench-'));
  const dataDir = await freshDataDir('zhiku-ask-bench-data-');
  createRandomCheckpoint(path.join(work, 'ckpt'), SHAPE);
  await importModel(path.join(work, 'ckpt'), path.join(dataDir, 'models', 'bench'), { bits: 4, group: 32 });
  const config = loadConfig({
    DATA_DIR: dataDir, LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '100000', GENERATOR_CONCURRENCY: String(CONCURRENCY),
    GENERATOR_QUEUE_LIMIT: '64', GENERATOR_THREADS: String(THREADS), ZHIKU_ADMIN_KEY: 'zk_bench_admin_key_0123456789abcdef',
  });
  const app = await createHttpApp(config, { logger: new JsonLogger('error', () => undefined) });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const auth = { authorization: `Bearer ${config.adminKey}` };
  const post = (p: string, body: unknown) => fetch(`${base}${p}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/api/models', { name: 'bench', path: 'bench' });
  const kb = ((await (await post('/api/knowledge-bases', { name: 'bench' })).json()) as { id: string }).id;
  const form = new FormData();
  form.append('files', new Blob([fs.readFileSync(pdf)]), 'pdfjs__tracemonkey.pdf');
  const up = (await (await fetch(`${base}/api/knowledge-bases/${kb}/documents`, { method: 'POST', headers: auth, body: form })).json()) as { documents: Array<{ id: string }> };
  for (;;) {
    const doc = (await (await fetch(`${base}/api/documents/${up.documents[0].id}`, { headers: auth })).json()) as { status: string };
    if (doc.status === 'ready') break;
    if (doc.status === 'failed') throw new Error('ingestion failed');
    await new Promise((r) => setTimeout(r, 100));
  }

  /** One streamed /api/ask: ms to the first token event and to the done event. */
  const ask = async (question: string): Promise<{ ttft: number; total: number }> => {
    const t0 = performance.now();
    const res = await post('/api/ask', { question, knowledgeBases: [kb], stream: true, maxTokens: TOKENS });
    if (!res.ok || !res.body) throw new Error(`ask: ${res.status} ${await res.text()}`);
    let ttft = -1;
    let text = '';
    const decoder = new TextDecoder();
    for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(part, { stream: true });
      if (ttft < 0 && text.includes('event: token')) ttft = performance.now() - t0;
    }
    if (!text.includes('event: done')) throw new Error(`ask: no done event: ${text.slice(-300)}`);
    return { ttft, total: performance.now() - t0 };
  };
  await ask(QUESTIONS[0]); // loads the model

  const rows: Array<Record<string, number>> = [];
  for (const clients of [1, 4, 16]) {
    const rounds = clients === 1 ? 4 : 1;
    const results: Array<{ ttft: number; total: number }> = [];
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) results.push(...(await Promise.all(Array.from({ length: clients }, (_, i) => ask(QUESTIONS[(i + r) % QUESTIONS.length])))));
    const wall = performance.now() - t0;
    rows.push({ clients, ttft_p50_ms: round(median(results.map((x) => x.ttft))), ttft_max_ms: round(Math.max(...results.map((x) => x.ttft))), latency_p50_ms: round(median(results.map((x) => x.total))), latency_max_ms: round(Math.max(...results.map((x) => x.total))), answers_per_s: round((results.length / wall) * 1000) });
  }

  // In process: retrieval + rendering + tokenising (prepare) against generation (answer), one client.
  const assistant = app.get(AssistantService);
  const operator: AuthContext = { keyId: 'bench', keyName: 'bench', role: 'admin', knowledgeBases: 'all' };
  const prepareMs: number[] = [];
  const generateMs: number[] = [];
  for (let i = 0; i < 8; i++) {
    const signal = new AbortController().signal;
    const t0 = performance.now();
    const prepared = await assistant.prepare(operator, { question: QUESTIONS[i % QUESTIONS.length], knowledgeBases: [kb], maxTokens: TOKENS }, signal);
    const t1 = performance.now();
    await assistant.answer(prepared, signal, undefined, false);
    prepareMs.push(t1 - t0);
    generateMs.push(performance.now() - t1);
  }
  await app.close();
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });

  console.log(`model: random qwen2_moe ${SHAPE.layers} layers, hidden ${SHAPE.hidden}, ${SHAPE.experts} experts, vocab ${SHAPE.vocab}, 4-bit; answers ≤ ${TOKENS} tokens; GENERATOR_CONCURRENCY ${CONCURRENCY}, ${THREADS} threads`);
  console.log('clients  ttft p50  ttft max  latency p50  latency max  answers/s');
  for (const r of rows) console.log(`${String(r.clients).padStart(7)}  ${String(r.ttft_p50_ms).padStart(8)}  ${String(r.ttft_max_ms).padStart(8)}  ${String(r.latency_p50_ms).padStart(11)}  ${String(r.latency_max_ms).padStart(11)}  ${String(r.answers_per_s).padStart(9)}`);
  const overhead = { retrieval_render_ms_p50: round(median(prepareMs)), generation_ms_p50: round(median(generateMs)) };
  console.log(`retrieval + rendering + tokenising: ${overhead.retrieval_render_ms_p50} ms (p50) vs generation ${overhead.generation_ms_p50} ms (p50)`);
  console.log(JSON.stringify({ rows, ...overhead }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
