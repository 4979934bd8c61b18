import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshDataDir } from '../src/database/testing/embedded-template';
import { createRandomCheckpoint, importModel } from '../src/moe';
import { zhiku } from './support/run-zhiku';

jest.setTimeout(90_000);

describe('zhiku model register | list | remove', () => {
  let dataDir: string;
  let folder: string;

  beforeAll(async () => {
    dataDir = await freshDataDir();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-ckpt-'));
    createRandomCheckpoint(scratch, { arch: 'mixtral', layers: 1, hidden: 64, intermediate: 64, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 3 });
    folder = path.join(dataDir, 'models', 'mini');
    await importModel(scratch, folder, { bits: 8, group: 32 });
  });

  it('registers a folder inside the models directory, lists it, refuses others, removes a version', async () => {
    const made = await zhiku('--data', dataDir, 'model', 'register', 'mini', '--name', 'mini', '--default', '--json');
    expect(made).toMatchObject({ code: 0, err: '' });
    const model = JSON.parse(made.out);
    expect(model).toMatchObject({ ref: 'mini@1', status: 'ready', provider: 'onnx', bits: 8, architecture: 'mixtral', isDefault: true, folder: fs.realpathSync(folder) });

    const remote = await zhiku('--data', dataDir, 'model', 'register', '--name', 'mini', '--base-url', 'http://127.0.0.1:8000/v1', '--api-key', 'secret-key', '--json');
    expect(JSON.parse(remote.out)).toMatchObject({ ref: 'mini@2', provider: 'openai-compatible', hasApiKey: true, remoteModel: 'mini' });
    expect(remote.out).not.toContain('secret-key');

    const outside = await zhiku('--data', dataDir, 'model', 'register', os.tmpdir(), '--name', 'evil');
    expect(outside.code).toBe(2);
    expect(outside.err).toMatch(/is outside the models directory/);

    const listed = await zhiku('--data', dataDir, 'model', 'list');
    expect(listed.out).toContain(`${model.id}  mini@1 (default)  ready  8-bit mixtral`);
    expect(listed.out).toContain('mini@2  ready  openai-compatible');

    expect((await zhiku('--data', dataDir, 'model', 'remove', 'mini')).code).toBe(2);
    const removed = await zhiku('--data', dataDir, 'model', 'remove', 'mini@1');
    expect(removed).toMatchObject({ code: 0, out: 'removed mini@1\n' });
    // A registered folder is not the registry's to delete.
    expect(fs.existsSync(path.join(folder, 'manifest.json'))).toBe(true);
    const left = JSON.parse((await zhiku('--data', dataDir, 'model', 'list', '--json')).out);
    expect(left.map((m: { ref: string }) => m.ref)).toEqual(['mini@2']);
  });
});
