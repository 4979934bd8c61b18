import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { freshDataDir } from '../../database/testing/embedded-template';
import { FEATURE_MODULES } from '../../features';
import { RetrievalModule } from '../../retrieval/retrieval.module';
import { registerEvalCommand } from './eval.command';
import { registerSearchCommand } from './search.command';

jest.setTimeout(120_000);

function program(): Command {
  const p = new Command('zhiku').option('--data <dir>').exitOverride();
  registerEvalCommand(p);
  registerSearchCommand(p);
  return p;
}

async function run(args: string[]): Promise<string> {
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program().parseAsync(['node', 'zhiku', ...args]);
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  return out.join('');
}

describe('zhiku eval retrieval / zhiku search', () => {
  let dataDir: string;
  let qaDir: string;
  beforeAll(async () => {
    if (!FEATURE_MODULES.includes(RetrievalModule)) FEATURE_MODULES.push(RetrievalModule);
    dataDir = await freshDataDir();
    qaDir = mkdtempSync(join(tmpdir(), 'zhiku-qa-'));
    mkdirSync(join(qaDir, 'docs'));
    writeFileSync(join(qaDir, 'docs', 'mohe.txt'), '漠河机场位于黑龙江省漠河县，是中国第一个建于永久冻土带的机场，总投资2.38亿元人民币。');
    writeFileSync(join(qaDir, 'docs', 'bowl.txt'), 'Super Bowl LV was played on February 7, 2021, at Raymond James Stadium in Tampa, Florida.');
    writeFileSync(join(qaDir, 'docs', 'other.txt'), 'The quarterly report discusses revenue, costs and the outlook for next year.');
    writeFileSync(
      join(qaDir, 'questions.jsonl'),
      [
        '{"question":"漠河机场的投资金额是多少？","answers":["2.38亿元"],"doc":"mohe.txt"}',
        '{"question":"Where was Super Bowl 2021 played?","answers":["Tampa, Florida"]}',
      ].join('\n'),
    );
  });

  it('prints the report in the documented JSON shape and leaves no temporary chunks behind', async () => {
    const out = await run(['--data', dataDir, 'eval', 'retrieval', '--qa', join(qaDir, 'questions.jsonl'), '--docs', join(qaDir, 'docs'), '--json']);
    const report = JSON.parse(out);
    expect(report.questions).toBe(2);
    expect(Object.keys(report.modes)).toEqual(['hybrid', 'vector', 'lexical']);
    for (const m of Object.values(report.modes) as Array<Record<string, number>>) {
      expect(Object.keys(m)).toEqual(['recall@1', 'recall@5', 'recall@10', 'mrr@10', 'ndcg@10']);
      expect(m['recall@1']).toBe(1);
    }
    expect(await run(['--data', dataDir, 'search', '漠河机场', '--json'])).toContain('"results": []');
    await expect(run(['--data', dataDir, 'search', '漠河机场', '--kb', 'no such base'])).rejects.toThrow(/no knowledge base named no such base/);
  });

  it('rejects bad usage with a readable message', async () => {
    await expect(run(['--data', dataDir, 'search', 'x', '-k', '0'])).rejects.toThrow(/-k must be an integer from 1 to 100/);
    await expect(run(['--data', dataDir, 'search', 'x', '--mode', 'fuzzy'])).rejects.toThrow(/--mode must be one of/);
    await expect(run(['--data', dataDir, 'eval', 'retrieval', '--qa', join(qaDir, 'nope.jsonl'), '--docs', join(qaDir, 'docs')])).rejects.toThrow(/cannot read the QA file/);
  });
});
