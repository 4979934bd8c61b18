import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../cli-errors';
import { registerFinetuneCommand } from './finetune.command';

const CMRC = path.resolve(__dirname, '../../../..', 'shared/data/qa/cmrc2018/docs');

/** Runs `zhiku finetune ...` in-process and returns what it printed on stdout. */
async function zhiku(...args: string[]): Promise<string> {
  const program = new Command('zhiku').exitOverride();
  registerFinetuneCommand(program);
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += chunk.toString()), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'zhiku', 'finetune', ...args]);
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  return out;
}

describe('zhiku finetune pretrain', () => {
  let work: string;
  beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-pretrain-cli-'))));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const small = ['--hidden', '32', '--intermediate', '32', '--layers', '1', '--experts', '4', '--vocab', '320', '--seq-len', '8', '--batch', '2'];

  it('pretrains from a text folder and prints the result as JSON', async () => {
    const out = path.join(work, 'qwen');
    const printed = JSON.parse(await zhiku('pretrain', '--arch', 'qwen3_moe', '--text', CMRC, '--out', out, '--steps', '3', ...small, '--json'));
    expect(printed).toMatchObject({ outDir: out, steps: 3, vocabSize: 320 });
    expect(printed.firstLoss).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).model_type).toBe('qwen3_moe');
  }, 30_000);

  it('refuses bad options with a usage error', async () => {
    await expect(zhiku('pretrain', '--arch', 'gpt2', '--text', CMRC, '--out', path.join(work, 'a'))).rejects.toThrow(/--arch must be one of/);
    await expect(zhiku('pretrain', '--arch', 'mixtral', '--text', CMRC, '--out', path.join(work, 'b'), '--lr', '-1')).rejects.toThrow(UsageError);
    await expect(zhiku('pretrain', '--arch', 'mixtral', '--text', path.join(work, 'none'), '--out', path.join(work, 'c'))).rejects.toThrow(/is not a folder/);
    await expect(zhiku('pretrain', '--arch', 'mixtral', '--text', CMRC, '--out', path.join(work, 'd'), '--steps', '0')).rejects.toThrow(/--steps must be between/);
    await expect(zhiku('pretrain', '--arch', 'mixtral', '--text', CMRC, '--out', path.join(work, 'e'), ...small, '--heads', '5')).rejects.toThrow(UsageError);
  });
});
