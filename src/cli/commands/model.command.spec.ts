import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { CommandFailedError, UsageError } from '../cli-errors';
import { registerModelCommand } from './model.command';

/** Runs `zhiku model ...` in-process and returns what it printed on stdout. */
async function zhiku(...args: string[]): Promise<string> {
  const program = new Command('zhiku').exitOverride();
  registerModelCommand(program);
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'zhiku', 'model', ...args]);
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  return out;
}

describe('zhiku model', () => {
  let work: string;
  let ckpt: string;
  let model: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-cli-model-'));
    ckpt = path.join(work, 'ckpt');
    model = path.join(work, 'model');
    await zhiku('create-random', '--arch', 'mixtral', '--vocab', '300', '--layers', '2', '--seed', '5', ckpt);
    await zhiku('import', ckpt, '--out', model, '--json');
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('imports a random checkpoint with its tokenizer and a manifest', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(model, 'manifest.json'), 'utf8'));
    expect(manifest.architecture).toBe('mixtral');
    expect(manifest.tokenizerFiles).toContain('tokenizer.json');
    expect(fs.statSync(path.join(model, 'model.onnx.data')).size).toBeGreaterThan(100_000);
  });

  it('prints the logits of every position as JSON', async () => {
    const out = JSON.parse(await zhiku('logits', model, '--ids', '1,2,3', '--json'));
    expect(out.logits).toHaveLength(3);
    expect(out.logits[0]).toHaveLength(300);
  });

  it('checks the ONNX model against the reference pass', async () => {
    const out = JSON.parse(await zhiku('check', model, '--json'));
    expect(out.ok).toBe(true);
    expect(out.relative_diff).toBeLessThan(1e-4);
    expect(out.top1_agreement).toBe(1);
  });

  it('generates greedily from ids, the same ids on every run', async () => {
    const a = JSON.parse(await zhiku('generate', model, '--ids', '1,5,9', '--greedy', '--max-tokens', '5', '--json'));
    const b = JSON.parse(await zhiku('generate', model, '--ids', '1,5,9', '--greedy', '--max-tokens', '5', '--json'));
    expect(a.ids.length).toBeGreaterThan(0);
    expect(a.ids.length).toBeLessThanOrEqual(5);
    expect(b.ids).toEqual(a.ids);
  });

  it('generates from text through the tokenizer and measures perplexity of a file', async () => {
    const out = JSON.parse(await zhiku('generate', model, 'hello 你好', '--greedy', '--max-tokens', '3', '--json'));
    expect(typeof out.text).toBe('string');
    const sampled = await zhiku('generate', model, 'hello', '--max-tokens', '4', '--seed', '3', '--temperature', '0.8', '--top-p', '0.9', '--repetition-penalty', '1.1', '--json');
    expect(JSON.parse(sampled).ids.length).toBeGreaterThan(0);
    const text = path.join(work, 'text.txt');
    fs.writeFileSync(text, 'The quick brown fox. 敏捷的棕色狐狸。');
    const ppl = JSON.parse(await zhiku('ppl', model, '--text', text, '--json'));
    expect(ppl.perplexity).toBeGreaterThan(1);
    expect(ppl.tokens).toBeGreaterThan(5);
  });

  it('benchmarks prefill and decode beside the measured bandwidth', async () => {
    const out = JSON.parse(await zhiku('bench', model, '--prompt-tokens', '16', '--decode-tokens', '4', '--threads', '1', '--json'));
    for (const key of ['decode_tokens_per_s', 'prefill_tokens_per_s', 'bytes_per_decode_token', 'measured_bandwidth_gb_s', 'bandwidth_limit_tokens_per_s', 'peak_rss_mb', 'decode_cpu_ms_per_token', 'decode_from_start_tokens_per_s']) {
      expect(out[key]).toBeGreaterThan(0);
    }
  });

  it('reports usage errors and failures with typed errors', async () => {
    await expect(zhiku('logits', model, '--ids', '1,x')).rejects.toThrow(UsageError);
    await expect(zhiku('import', ckpt, '--out', path.join(work, 'x'), '--bits', '5')).rejects.toThrow(UsageError);
    await expect(zhiku('import', ckpt)).rejects.toThrow(/--out DIR/);
    await expect(zhiku('generate', model)).rejects.toThrow(UsageError);
    await expect(zhiku('logits', path.join(work, 'missing'), '--ids', '1')).rejects.toThrow(CommandFailedError);
    await expect(zhiku('import', path.join(work, 'missing'), '--out', path.join(work, 'y'))).rejects.toThrow(CommandFailedError);
  });
});
