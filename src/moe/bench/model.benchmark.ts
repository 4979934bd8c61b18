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
  /** Single-token decode after the `promptTokens` prompt (its KV cache is full of it). */
  decode_tokens_per_s: number;
  /**
   * The same number of tokens decoded from an empty KV cache, as llama.cpp's llama-bench measures
   * decode ("tg"): the figure to set beside llama.cpp's. Attention over a short cache costs less, so
   * this is the higher of the two; the gap is what a 512-token context costs.
   */
  decode_from_start_tokens_per_s: number;
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

/** The figures of a run on the model alone, without the bandwidth triad. */
export type SpeedResult = Pick<
  BenchmarkResult,
  'decode_tokens_per_s' | 'decode_from_start_tokens_per_s' | 'prefill_tokens_per_s' | 'decode_cpu_ms_per_token' | 'peak_rss_mb' | 'prompt_tokens' | 'decode_tokens'
>;

/**
 * `decodeTokens` single-token runs from an empty KV cache; then prefill of a `promptTokens` prompt in
 * one run and `decodeTokens` single-token runs from its KV cache (ids chosen by a seeded generator, not by sampling, so every run costs the same). A
 * warm-up run of a few tokens comes first. The registry measures every imported version with this
 * alone: the triad would allocate hundreds of MB in a serving process and raise its peak RSS for good.
 */
export async function measureSpeed(lm: CausalLm, options: Omit<BenchmarkOptions, 'bandwidthThreads'> = {}): Promise<SpeedResult> {
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

  // From an empty cache first (llama-bench's "tg"), then the prompt and decode after it.
  let start = performance.now();
  for (let i = 0; i < decodeTokens; i++) await lm.forward([nextId()]);
  const fromStartSeconds = (performance.now() - start) / 1000;
  lm.reset();

  const prompt = Array.from({ length: promptTokens }, nextId);
  start = performance.now();
  await lm.forward(prompt);
  const prefillSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < decodeTokens; i++) await lm.forward([nextId()]);
  const cpu = process.cpuUsage(cpuBefore);
  const decodeSeconds = (performance.now() - start) / 1000;
  lm.reset();
  return {
    decode_tokens_per_s: round(decodeTokens / decodeSeconds),
    decode_from_start_tokens_per_s: round(decodeTokens / fromStartSeconds),
    prefill_tokens_per_s: round(promptTokens / prefillSeconds),
    decode_cpu_ms_per_token: round((cpu.user + cpu.system) / 1000 / decodeTokens, 2),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    prompt_tokens: promptTokens,
    decode_tokens: decodeTokens,
  };
}

/** measureSpeed, then the memory bandwidth measured in the same process and the decode speed against its limit. */
export async function benchmarkModel(
  lm: CausalLm,
  bytesPerDecodeToken: number,
  options: BenchmarkOptions = {},
): Promise<BenchmarkResult> {
  // Peak RSS is read before the triad, whose arrays would otherwise count as the model's memory.
  const speed = await measureSpeed(lm, options);
  const bandwidth = await measureBandwidth(options.bandwidthThreads ?? 2);
  const limit = (bandwidth.gbPerSecond * 1e9) / bytesPerDecodeToken;
  return {
    ...speed,
    bytes_per_decode_token: bytesPerDecodeToken,
    measured_bandwidth_gb_s: round(bandwidth.gbPerSecond),
    bandwidth_limit_tokens_per_s: round(limit),
    bandwidth_efficiency: round(speed.decode_tokens_per_s / limit, 3),
  };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
