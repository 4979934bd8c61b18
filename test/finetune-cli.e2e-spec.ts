import * as fs from 'node:fs';
import * as path from 'node:path';
import { createAppContext } from '../src/app.factory';
import { loadConfig } from '../src/config';
import { freshDataDir } from '../src/database/testing/embedded-template';
import { DatasetsService } from '../src/finetune/datasets';
import { createRandomCheckpoint } from '../src/moe';
import { zhiku } from './support/run-zhiku';

jest.setTimeout(60_000);

describe('zhiku finetune run', () => {
  let data: string;
  beforeAll(async () => {
    data = await freshDataDir('zhiku-finetune-cli-');
    createRandomCheckpoint(path.join(data, 'models', 'tiny'), { arch: 'mixtral', layers: 1, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 5 });
    const file = path.join(data, 'codes.jsonl');
    fs.writeFileSync(file, Array.from({ length: 16 }, (_, i) => JSON.stringify({ instruction: `Code of item ${i}?`, output: `ZK-${i}` })).join('\n'));
    expect((await zhiku('--data', data, 'dataset', 'import', file, '--name', 'codes')).code).toBe(0);
    const ctx = await createAppContext(loadConfig({ DATA_DIR: data, LOG_LEVEL: 'warn' }), 'cli', { logLevel: 'warn' });
    try {
      await ctx.get(DatasetsService).split({ keyId: 'test', keyName: 'test', role: 'admin', knowledgeBases: 'all' }, 'codes', { validationRatio: 0.25, seed: 3 });
    } finally {
      await ctx.close();
    }
  });

  it('trains, evaluates, quantizes and registers in-process, printing the figures as JSON', async () => {
    const run = await zhiku('--data', data, 'finetune', 'run', '--base', 'tiny', '--dataset', 'codes', '--steps', '12', '--bits', '8', '--deploy', '--name', 'tiny-ft', '--rank', '4', '--lr', '0.01', '--seq-len', '32', '--eval-samples', '2', '--json');
    expect(run.err).not.toMatch(/zhiku:/);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.out);
    expect(out).toMatchObject({ status: 'completed', steps: 12, model: 'tiny-ft@1' });
    expect(out.train_loss_last).toBeLessThan(out.train_loss_first);
    expect(out.val_loss_after).toBeLessThan(out.val_loss_before);
    expect(fs.existsSync(path.join(out.adapter, 'adapter_config.json'))).toBe(true);
    expect(fs.existsSync(path.join(out.merged, 'config.json'))).toBe(true);
    expect(out.answers_after).toEqual({ exact_match: expect.any(Number), char_f1: expect.any(Number), contains: expect.any(Number) });

    // The adapter merged again from its files, as one trained elsewhere would be: the same weights.
    const again = path.join(data, 'merged-again');
    const merged = await zhiku('finetune', 'merge', '--base', path.join(data, 'models', 'tiny'), '--adapter', out.adapter, '--out', again, '--json');
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.out)).toMatchObject({ rank: 4, alpha: 8, modules: 16 });
    expect(fs.readFileSync(path.join(again, 'model.safetensors')).equals(fs.readFileSync(path.join(out.merged, 'model.safetensors')))).toBe(true);
    const refused = await zhiku('finetune', 'merge', '--base', path.join(data, 'models', 'tiny'), '--adapter', path.join(data, 'models'), '--out', path.join(data, 'x'));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('has no adapter_config.json');

    const models = await zhiku('--data', data, 'model', 'list', '--json');
    expect(JSON.parse(models.out)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'tiny-ft', version: 1, isDefault: true })]));
  });

  it('exits 2 on bad parameters and 1 on a base that does not exist', async () => {
    const zero = await zhiku('--data', data, 'finetune', 'run', '--base', 'tiny', '--dataset', 'codes', '--steps', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toContain('params.steps must be an integer from 1');
    const bits = await zhiku('--data', data, 'finetune', 'run', '--base', 'tiny', '--dataset', 'codes', '--bits', '5');
    expect(bits.code).toBe(2);
    const missing = await zhiku('--data', data, 'finetune', 'run', '--base', 'nope', '--dataset', 'codes');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('neither a registered model nor a checkpoint folder');
  });
});
