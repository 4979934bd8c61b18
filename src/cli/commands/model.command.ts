import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/app-config';
import { benchmarkModel, GenerationError, MoeError, TextGenerator, IMPORT_BITS, importModel, type ImportBits, createRandomCheckpoint, RANDOM_ARCHITECTURES, type RandomArchitecture, type ExecutionProvider, type SessionOptions, openModel, type OpenedModel, ChatTemplate, Tokenizer } from '../../moe';
import { CommandFailedError, UsageError } from '../cli-errors';
import { parseChoice, parseIds, parseIntOption, resolveModelDir } from './model-args';
import { registerModelRegistryCommands } from './model-registry.command';
import { checkAgainstReference, perplexity } from './model-inspect.actions';

type Flags = Record<string, string | string[] | boolean | undefined>;

const str = (flags: Flags, key: string): string | undefined => (typeof flags[key] === 'string' ? (flags[key] as string) : undefined);
const print = (flags: Flags, json: unknown, text: string) =>
  process.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : text.endsWith('\n') ? text : `${text}\n`);

/** `zhiku model ...`: create, import, run, check and benchmark MoE models; works without the server. */
export function registerModelCommand(program: Command): void {
  const model = program.command('model').description('import, quantize, run and benchmark MoE models (ONNX Runtime)');

  model
    .command('create-random')
    .description('write a random-weight checkpoint in the Hugging Face layout (tests, benchmarks)')
    .argument('<dir>', 'output folder')
    .requiredOption('--arch <arch>', RANDOM_ARCHITECTURES.join('|'))
    .option('--layers <n>').option('--hidden <n>').option('--intermediate <n>').option('--experts <n>')
    .option('--top-k <n>').option('--heads <n>').option('--kv-heads <n>').option('--vocab <n>').option('--seed <n>')
    .option('--json', 'print the result as JSON')
    .action((dir: string, flags: Flags) => run(() => {
      const arch = parseChoice('--arch', str(flags, 'arch'), RANDOM_ARCHITECTURES, 'mixtral') as RandomArchitecture;
      const n = (key: string, name: string) => (str(flags, key) === undefined ? undefined : parseIntOption(name, str(flags, key), 0));
      const seed = str(flags, 'seed') === undefined ? undefined : parseIntOption('--seed', str(flags, 'seed'), 0, 0);
      const sizes = {
        seed,
        layers: n('layers', '--layers'), hidden: n('hidden', '--hidden'), intermediate: n('intermediate', '--intermediate'),
        experts: n('experts', '--experts'), topK: n('topK', '--top-k'), heads: n('heads', '--heads'),
        kvHeads: n('kvHeads', '--kv-heads'), vocab: n('vocab', '--vocab'),
      };
      // Options not given keep the generator's defaults.
      const given = Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined));
      const made = createRandomCheckpoint(dir, { arch, ...given });
      print(flags, { dir: path.resolve(dir), config: made.config, tokenizer: made.hasTokenizer }, `wrote ${arch} checkpoint to ${dir}`);
    }));

  model
    .command('import')
    .description('import a Hugging Face checkpoint folder into an ONNX model folder, optionally quantized')
    .argument('<checkpoint>', 'Hugging Face model folder (config.json, *.safetensors, tokenizer.json)')
    .option('--out <dir>', 'model folder to write')
    .option('--name <name>', 'model name under the models directory (instead of --out)')
    .option('--bits <n>', '32, 16, 8, 4, 3 or 2', '32')
    .option('--group <n>', 'quantization group size: 32, 64 or 128 (default: per width, see docs/moe-quantization.md)')
    .option('--asymmetric', 'asymmetric codes with zero points (default symmetric)')
    .option('--int3 <scheme>', "how 3 bits are realised: 'mix' (2/4/8-bit kernels) or 'packed' (3-bit codes run as 4-bit)")
    .option('--standard-onnx', 'standard ONNX ops only (no ONNX Runtime contrib ops)')
    .option('--max-positions <n>', "longest sequence the model accepts (default: the config's, at most 32768)")
    .option('--overwrite', 'replace an existing model folder')
    .option('--json', 'print the manifest as JSON')
    .action((checkpoint: string, flags: Flags) => run(async () => {
      const out = str(flags, 'out') ?? (str(flags, 'name') ? path.join(loadConfig().modelsDir, str(flags, 'name')!) : undefined);
      if (!out) throw new UsageError('give the output folder with --out DIR (or a model name with --name NAME)');
      const bits = parseChoice('--bits', str(flags, 'bits'), IMPORT_BITS, 32) as ImportBits;
      const group = str(flags, 'group') === undefined ? undefined : parseChoice('--group', str(flags, 'group'), [32, 64, 128], 32);
      const int3 = str(flags, 'int3') === undefined ? undefined : parseChoice('--int3', str(flags, 'int3'), ['mix', 'packed'] as const, 'mix');
      const maxPositions =
        str(flags, 'maxPositions') === undefined ? undefined : parseIntOption('--max-positions', str(flags, 'maxPositions'), 0, 2);
      let last = '';
      const manifest = await importModel(checkpoint, out, {
        bits, group, int3, maxPositions, symmetric: !flags.asymmetric, contribOps: !flags.standardOnnx, overwrite: Boolean(flags.overwrite),
      }, ({ stage, done, total }) => {
        const line = stage === 'hash' ? `hashing ${Math.floor((100 * done) / total)}%` : `${stage} ${done}/${total}`;
        if (line !== last && !flags.json) process.stderr.write(`\r${line}   `);
        last = line;
      });
      if (!flags.json) process.stderr.write('\n');
      const w = manifest.weights;
      print(flags, manifest, `imported ${manifest.architecture} to ${path.resolve(out)}: ${w.averageBits.toFixed(2)} bits/weight, ` +
        `${(w.fileBytes / 1e6).toFixed(1)} MB, ${(w.decodeBytesPerToken / 1e6).toFixed(1)} MB read per decoded token`);
    }));

  withSession(model.command('generate').description('generate a continuation of a prompt'))
    .argument('[prompt]', 'prompt text (needs the model to have a tokenizer)')
    .option('--ids <ids>', 'prompt as token ids, e.g. 1,2,3')
    .option('--max-tokens <n>', 'tokens to generate', '64')
    .option('--greedy', 'argmax decoding')
    .option('--temperature <t>').option('--top-k <n>').option('--top-p <p>').option('--seed <n>')
    .option('--repetition-penalty <r>', 'penalise tokens already in the sequence (1 = off)')
    .option('--stop <text>', 'stop before this text (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--chat', 'render the prompt as a user message through the chat template')
    .action((name: string, prompt: string | undefined, flags: Flags) => run(() => withModel(name, flags, async (m) => {
      const tokenizer = m.tokenizerPath ? Tokenizer.fromFile(m.tokenizerPath) : null;
      const ids = promptIds(m, tokenizer, prompt, flags);
      const generator = new TextGenerator(m.lm, tokenizer);
      const options = {
        maxNewTokens: parseIntOption('--max-tokens', str(flags, 'maxTokens'), 64),
        greedy: Boolean(flags.greedy),
        temperature: optionalFloat('--temperature', str(flags, 'temperature')),
        topK: str(flags, 'topK') === undefined ? undefined : parseIntOption('--top-k', str(flags, 'topK'), 0),
        topP: optionalFloat('--top-p', str(flags, 'topP')),
        seed: str(flags, 'seed') === undefined ? undefined : parseIntOption('--seed', str(flags, 'seed'), 0, 0),
        repetitionPenalty: optionalFloat('--repetition-penalty', str(flags, 'repetitionPenalty')),
        stopStrings: Array.isArray(flags.stop) ? (flags.stop as string[]) : undefined,
      };
      if (flags.json) {
        const result = await generator.generate(ids, options);
        print(flags, { prompt_ids: ids, ids: result.ids, text: tokenizer ? result.text : null, finish_reason: result.finishReason }, '');
        return;
      }
      const stream = generator.stream(ids, options);
      for (;;) {
        const next = await stream.next();
        if (next.done) break;
        process.stdout.write(tokenizer ? next.value.text : `${next.value.id} `);
      }
      process.stdout.write('\n');
    })));

  withSession(model.command('logits').description('print the logits of every position'))
    .requiredOption('--ids <ids>', 'token ids, e.g. 1,2,3')
    .action((name: string, flags: Flags) => run(() => {
      const ids = parseIds(str(flags, 'ids')!);
      return withModel(name, flags, async (m) => {
      const flat = await m.lm.forward(ids, { allLogits: true });
      const vocab = m.manifest.config.vocabSize;
      const rows = ids.map((_, t) => Array.from(flat.subarray(t * vocab, (t + 1) * vocab)));
      print(flags, { logits: rows }, rows.map((r, t) => `${ids[t]}: ${r.map((v) => v.toFixed(4)).join(' ')}`).join('\n'));
      });
    }));

  withSession(model.command('ppl').description('perplexity of a text file'))
    .requiredOption('--text <file>', 'UTF-8 text file')
    .option('--window <n>', 'tokens per window', '512')
    .action((name: string, flags: Flags) => run(() => withModel(name, flags, async (m) => {
      const window = parseIntOption('--window', str(flags, 'window'), 512, 2, m.manifest.graph.maxPositions);
      const r = await perplexity(m, str(flags, 'text')!, window);
      print(flags, r, `perplexity ${r.perplexity.toFixed(3)} over ${r.tokens} tokens`);
    })));

  withSession(model.command('check').description('compare the ONNX model with the TypeScript reference pass on its source checkpoint'))
    .option('--ids <ids>', 'token ids to compare on', '1,7,3,12,5,9,2,4')
    .option('--checkpoint <dir>', 'the source checkpoint, if it moved since import')
    .action((name: string, flags: Flags) => run(() => withModel(name, flags, async (m) => {
      const ids = parseIds(str(flags, 'ids')!).map((id) => id % m.manifest.config.vocabSize);
      const r = await checkAgainstReference(m, ids, str(flags, 'checkpoint'));
      print(flags, r, `${r.ok ? 'ok' : 'FAILED'}: max |Δlogit| ${r.max_abs_diff.toExponential(2)}, relative ${r.relative_diff.toExponential(2)}` +
        `${r.tolerance === null ? ' (no bound at this width)' : ` (bound ${r.tolerance})`}, top-1 agreement ${(100 * r.top1_agreement).toFixed(0)}%`);
      if (!r.ok) throw new CommandFailedError(`the ONNX model differs from the reference by ${r.relative_diff.toExponential(2)} (bound ${r.tolerance})`);
    })));

  withSession(model.command('bench').description('prefill and decode speed against the measured memory-bandwidth limit'))
    .option('--prompt-tokens <n>', 'prefill length', '512')
    .option('--decode-tokens <n>', 'decoded tokens', '64')
    .action((name: string, flags: Flags) => run(() => withModel(name, flags, async (m) => {
      const r = await benchmarkModel(m.lm, m.manifest.weights.decodeBytesPerToken, {
        promptTokens: parseIntOption('--prompt-tokens', str(flags, 'promptTokens'), 512, 1, m.manifest.graph.maxPositions - 1),
        decodeTokens: parseIntOption('--decode-tokens', str(flags, 'decodeTokens'), 64),
        bandwidthThreads: sessionOptions(flags).intraOpThreads,
      });
      print(flags, r, [
        `decode  ${r.decode_tokens_per_s} tok/s after the prompt (bandwidth limit ${r.bandwidth_limit_tokens_per_s} tok/s, ${(100 * r.bandwidth_efficiency).toFixed(0)}%), ` +
          `${r.decode_from_start_tokens_per_s} tok/s from an empty cache`,
        `prefill ${r.prefill_tokens_per_s} tok/s (${r.prompt_tokens}-token prompt)`,
        `${(r.bytes_per_decode_token / 1e6).toFixed(1)} MB read per token, ${r.measured_bandwidth_gb_s} GB/s measured, peak RSS ${r.peak_rss_mb} MB`,
      ].join('\n'));
    })));

  registerModelRegistryCommands(model);
}

/** Adds the NAME argument and the options every command that runs a model takes. */
function withSession(command: Command): Command {
  return command
    .argument('<name>', 'imported model folder, or a model name under the models directory')
    .option('--threads <n>', 'ONNX Runtime intra-op threads', '2')
    .option('--provider <ep>', 'execution provider: cpu or cuda', 'cpu')
    .option('--spin', 'let idle ONNX Runtime threads spin (faster on dedicated cores, slower on shared ones)')
    .option('--json', 'print the result as JSON');
}

function sessionOptions(flags: Flags): SessionOptions & { intraOpThreads: number } {
  return {
    intraOpThreads: parseIntOption('--threads', str(flags, 'threads'), 2, 1, 256),
    executionProvider: parseChoice<ExecutionProvider>('--provider', str(flags, 'provider'), ['cpu', 'cuda'], 'cpu'),
    spinning: Boolean(flags.spin),
  };
}

async function withModel(name: string, flags: Flags, body: (m: OpenedModel) => Promise<void>): Promise<void> {
  const dir = resolveModelDir(name, fs.existsSync(name) ? '.' : loadConfig().modelsDir);
  const m = await openModel(dir, sessionOptions(flags));
  try {
    await body(m);
  } finally {
    await m.lm.dispose();
  }
}

function promptIds(m: OpenedModel, tokenizer: Tokenizer | null, prompt: string | undefined, flags: Flags): number[] {
  if (str(flags, 'ids') !== undefined) {
    if (prompt !== undefined) throw new UsageError('give either a prompt or --ids, not both');
    return parseIds(str(flags, 'ids')!);
  }
  if (prompt === undefined) throw new UsageError('give a prompt, or token ids with --ids 1,2,3');
  if (!tokenizer) throw new UsageError(`${m.dir} has no tokenizer.json; feed token ids with --ids`);
  if (!flags.chat) return tokenizer.encode(prompt, { addSpecialTokens: true });
  const template = ChatTemplate.fromDir(m.dir);
  if (!template) throw new UsageError(`${m.dir} has no chat template; drop --chat`);
  return tokenizer.encode(template.render([{ role: 'user', content: prompt }], { addGenerationPrompt: true }));
}

function optionalFloat(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`${name} must be a non-negative number, got '${raw}'`);
  return v;
}

/** Library failures become CommandFailedError (exit 1); usage errors pass through (exit 2). */
async function run(body: () => unknown): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof UsageError || e instanceof CommandFailedError) throw e;
    if (e instanceof GenerationError) throw new UsageError(e.message);
    if (e instanceof MoeError) throw new CommandFailedError(e.message);
    throw e;
  }
}
