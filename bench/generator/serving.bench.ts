/**
 * What serving through /v1 costs over the bare generation loop, on one random MoE model:
 * decode tokens/s of TextGenerator alone, of /v1/chat/completions (non-stream), time to first token
 * of a streamed request, and latency with 1 and 4 concurrent clients at GENERATOR_CONCURRENCY 1 and 2.
 *
 *   npx tsc -p tsconfig.build.json --outDir /tmp/zk-build && node /tmp/zk-build/bench/generator/serving.bench.js
 *        [--bits 4] [--tokens 64] [--threads 2]
 *
 * Single-request figures are the median of three runs. Prints a table and, last, one JSON line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHttpApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config';
import { freshDataDir } from '../../src/database/testing/embedded-template';
import { ChatTemplate, createRandomCheckpoint, importModel, openModel, TextGenerator, Tokenizer, type ImportBits } from '../../src/moe';
import { JsonLogger } from '../../src/ops/json.logger';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const BITS = arg('bits', 4) as ImportBits;
const TOKENS = arg('tokens', 64);
const THREADS = arg('threads', 2);
const SHAPE = { arch: 'qwen2_moe' as const, layers: 4, hidden: 256, intermediate: 512, experts: 8, topK: 2, heads: 8, kvHeads: 4, vocab: 2048, seed: 1 };
const MESSAGES = [{ role: 'system', content: 'You answer from the company handbook.' }, { role: 'user', content: '员工每年有几天年假? How many days of annual leave do employees get?' }];

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-gen-bench-'));
  const dataDir = await freshDataDir('zhiku-gen-bench-data-');
  const modelsDir = path.join(dataDir, 'models');
  createRandomCheckpoint(path.join(work, 'ckpt'), SHAPE);
  const folder = path.join(modelsDir, 'bench');
  await importModel(path.join(work, 'ckpt'), folder, { bits: BITS, group: 32 });

  // 1. The generation loop alone (EOS ignored so every run decodes TOKENS tokens).
  const opened = await openModel(folder, { intraOpThreads: THREADS });
  const tokenizer = Tokenizer.fromFile(opened.tokenizerPath!);
  const ids = tokenizer.encode(ChatTemplate.fromDir(folder)!.render(MESSAGES, { addGenerationPrompt: true }));
  const generator = new TextGenerator(opened.lm, tokenizer);
  await generator.generate(ids, { maxNewTokens: 4, greedy: true });
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await generator.generate(ids, { maxNewTokens: TOKENS, greedy: true, eosTokenIds: [] }));
  const direct = runs.sort((x, y) => x.prefillMs + x.decodeMs - (y.prefillMs + y.decodeMs))[1];
  const directTokS = TOKENS / ((direct.prefillMs + direct.decodeMs) / 1000);
  await opened.lm.dispose();

  const figures: Record<string, number> = { prompt_tokens: ids.length, direct_tokens_per_s: round(directTokS), direct_prefill_ms: round(direct.prefillMs) };
  for (const concurrency of [1, 2]) {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '100000', GENERATOR_CONCURRENCY: String(concurrency), GENERATOR_THREADS: String(THREADS), ZHIKU_ADMIN_KEY: 'zk_bench_admin_key_0123456789abcdef' });
    const app = await createHttpApp(config, { logger: new JsonLogger('error', () => undefined) });
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const headers = { authorization: `Bearer ${config.adminKey}`, 'content-type': 'application/json' };
    const post = (p: string, body: unknown) => fetch(`${base}${p}`, { method: 'POST', headers, body: JSON.stringify(body) });
    if (concurrency === 1) await post('/api/models', { name: 'bench', path: 'bench' });
    // Greedy decoding of a random model can meet EOS early: tokens/s uses the completion tokens reported.
    const request = { model: 'bench', messages: MESSAGES, max_tokens: TOKENS, temperature: 0 };
    await (await post('/v1/chat/completions', { ...request, max_tokens: 4 })).json(); // loads the session

    const one = async () => {
      const started = performance.now();
      const body = (await (await post('/v1/chat/completions', request)).json()) as { usage: { completion_tokens: number } };
      return { ms: performance.now() - started, tokens: body.usage.completion_tokens };
    };
    const singles = [await one(), await one(), await one()].sort((x, y) => x.ms / x.tokens - y.ms / y.tokens);
    const single = singles[1]; // the median of three
    figures[`c${concurrency}_v1_tokens_per_s`] = round(single.tokens / (single.ms / 1000));
    figures[`c${concurrency}_v1_completion_tokens`] = single.tokens;

    const streamStart = performance.now();
    const res = await post('/v1/chat/completions', { ...request, stream: true });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let first = 0;
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (!first && /"content":"[^"]/.test(text)) first = performance.now() - streamStart;
    }
    figures[`c${concurrency}_stream_first_token_ms`] = round(first);
    figures[`c${concurrency}_stream_total_ms`] = round(performance.now() - streamStart);

    const started = performance.now();
    const four = await Promise.all([one(), one(), one(), one()]);
    const wall = performance.now() - started;
    figures[`c${concurrency}_4_clients_wall_ms`] = round(wall);
    figures[`c${concurrency}_4_clients_mean_latency_ms`] = round(four.reduce((s, r) => s + r.ms, 0) / 4);
    figures[`c${concurrency}_4_clients_tokens_per_s`] = round(four.reduce((s, r) => s + r.tokens, 0) / (wall / 1000));
    await app.close();
  }
  console.log(`model: ${SHAPE.arch} ${SHAPE.layers} layers, hidden ${SHAPE.hidden}, ${SHAPE.experts} experts top-${SHAPE.topK}, vocab ${SHAPE.vocab}, ${BITS}-bit; ${THREADS} threads; load ${os.loadavg()[0].toFixed(1)}`);
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(34)} ${v}`);
  console.log(JSON.stringify(figures));
  fs.rmSync(work, { recursive: true, force: true });
}

const round = (v: number) => Math.round(v * 10) / 10;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
