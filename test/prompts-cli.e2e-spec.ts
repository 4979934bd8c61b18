import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshDataDir } from '../src/database/testing/embedded-template';
import { zhiku } from './support/run-zhiku';

jest.setTimeout(90_000);

describe('zhiku prompts', () => {
  let data: string;

  beforeAll(async () => {
    data = await freshDataDir('zhiku-prompts-cli-');
  });

  it('lists the seeded templates and shows one as its file', async () => {
    const list = await zhiku('--data', data, 'prompts', 'list', '--task', 'translate', '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out).map((p: { name: string }) => p.name)).toEqual(['translate.en', 'translate.zh']);
    const show = await zhiku('--data', data, 'prompts', 'show', 'translate.zh');
    expect(show.code).toBe(0);
    expect(show.out).toBe(fs.readFileSync(path.resolve(__dirname, '..', 'prompts', 'translate.zh.md'), 'utf8'));
  });

  it('renders with variables from a file and --set, and names missing variables on failure', async () => {
    const vars = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-vars-')), 'vars.json');
    fs.writeFileSync(vars, JSON.stringify({ context: [{ text: '每年 10 天年假。', source: '员工手册.pdf', page: 12 }] }));
    const ok = await zhiku('--data', data, 'prompts', 'render', 'qa.zh', '--vars', vars, '--set', 'question=年假有几天？', '--json');
    expect(ok.code).toBe(0);
    const rendered = JSON.parse(ok.out);
    expect(rendered.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user']);
    expect(rendered.user).toContain('来源：员工手册.pdf，第 12 页\n每年 10 天年假。');
    expect(rendered.chunksIncluded).toEqual({ context: [1] });

    const missing = await zhiku('--data', data, 'prompts', 'render', 'qa.zh', '--set', 'history=x');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('question (missing (required))');
    expect(missing.err).toContain('context (missing (required))');
    expect((await zhiku('--data', data, 'prompts', 'render', 'qa.zh', '--budget', 'lots')).code).toBe(2);
  });
});
