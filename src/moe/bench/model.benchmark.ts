import type { CausalLm } from '../model/causal-lm';
import { measureBandwidth } from './bandwidth.probe';

export interface BenchmarkOptions {
  /** Prompt length of the prefill measurement (one run). Default 512. */
  promptTokens?: number;
  /** Tokens decoded one at a time after the prompt. Default 64. */
  decodeTokens?: number;
  /** Threads of the bandwidth triad (match the session's intra-op threads). Default 2. */
  bandwidthThreads?: number;
  seed?: number;
}

/** The figures `zhiku model bench --json` prints. */
export interface BenchmarkResult {
  decode_tokens_per_s: number;
  prefill_tokens_per_s: number;
  bytes_per_decode_token: number;
  measured_bandwidth_gb_s: number;
  bandwidth_limit_tokens_per_s: number;
  /** Decode speed over the bandwidth limit. */
  bandwidth_efficiency: number;
  /**
   * CPU time (user + system, all threads) per decoded token: on a shared machine this moves far less
   * with others' load than tokens per second does, so it is the figure to compare two graphs by.
   */
  decode_cpu_ms_per_token: number;
  /** Peak resident memory of the process after loading and running the model (before the triad). */
  peak_rss_mb: number;
  prompt_tokens: number;
  decode_tokens: number;
}

/**
 * Prefill of a `promptTokens` prompt in one run, then `decodeTokens` single-token runs from the
 * KV cache (ids chosen by a seeded generator, not by sampling, so every run costs the same), and
 * the memory bandwidth measured in the same process. A warm-up run of a few tokens comes first.
 */
export async function benchmarkModel(
  lm: CausalLm,
  bytesPerDecodeToken: number,
  options: BenchmarkOptions = {},
): Promise<BenchmarkResult> {
  const promptTokens = options.promptTokens ?? 512;
  const decodeTokens = options.decodeTokens ?? 64;
  let state = (options.seed ?? 1) >>> 0 || 1;
  const nextId = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % lm.config.vocabSize;
  };
  lm.reset();
  await lm.forward([nextId(), nextId(), nextId()]);
  await lm.forward([nextId()]);
  lm.reset();

  const prompt = Array.from({ length: promptTokens }, nextId);
  let start = performance.now();
  await lm.forward(prompt);
  const prefillSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < decodeTokens; i++) await lm.forward([nextId()]);
  const cpu = process.cpuUsage(cpuBefore);
  const decodeSeconds = (performance.now() - start) / 1000;
  lm.reset();
  // Read before the triad, whose arrays would otherwise count as the model's memory.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  const bandwidth = await measureBandwidth(options.bandwidthThreads ?? 2);
  const limit = (bandwidth.gbPerSecond * 1e9) / bytesPerDecodeToken;
  const decode = decodeTokens / decodeSeconds;
  return {
    decode_tokens_per_s: round(decode),
    prefill_tokens_per_s: round(promptTokens / prefillSeconds),
    bytes_per_decode_token: bytesPerDecodeToken,
    measured_bandwidth_gb_s: round(bandwidth.gbPerSecond),
    bandwidth_limit_tokens_per_s: round(limit),
    bandwidth_efficiency: round(decode / limit, 3),
    decode_cpu_ms_per_token: round((cpu.user + cpu.system) / 1000 / decodeTokens, 2),
    peak_rss_mb: round(peakRssMb),
    prompt_tokens: promptTokens,
    decode_tokens: decodeTokens,
  };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
