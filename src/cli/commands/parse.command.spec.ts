import { resolve } from 'node:path';
import { Command } from 'commander';
import { CommandFailedError, UsageError } from '../cli-errors';
import { registerParseCommand } from './parse.command';

const DOCS = resolve(__dirname, '../../../..', 'shared/data/docs');

async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerParseCommand(program);
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(['node', 'zhiku', 'parse', ...args]);
  } finally {
    write.mockRestore();
  }
  return out;
}

describe('zhiku parse', () => {
  it('prints the parsed blocks as JSON with provenance', async () => {
    const out = await run(resolve(DOCS, 'pdf/pdfjs__issue12823.pdf'), '--json', '--no-ocr');
    const doc = JSON.parse(out);
    expect(doc.metadata).toMatchObject({ format: 'pdf', pages: 1 });
    expect(doc.blocks).toContainEqual(expect.objectContaining({ kind: 'heading', text: '愿景' }));
    expect(doc.blocks.find((b: { text: string }) => b.text.startsWith('描述团队')).provenance).toMatchObject({ page: 1, headingPath: ['123321', '愿景'] });
  });

  it('prints a readable listing without --json', async () => {
    const out = await run(resolve(DOCS, 'xlsx/exceljs__fibonacci.xlsx'));
    const lines = out.split('\n');
    expect(lines[0]).toBe('exceljs__fibonacci.xlsx: xlsx, 1 page(s), 20 block(s)');
    expect(lines).toContainEqual(expect.stringMatching(/^\s+19\s+table_row\s+fib!A19:B19\s+A: 19; B: 4181$/));
  });

  it('opens an encrypted PDF with --password and fails without it', async () => {
    const file = resolve(DOCS, 'pdf/pdfjs__issue6010_1.pdf');
    expect(await run(file, '--password', 'abc', '--no-ocr')).toContain('Issue 6010');
    const error = await run(file, '--no-ocr').catch((e) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error.message).toBe(`${file}: encrypted: password required`);
  });

  it('reports a missing file as a usage error', async () => {
    await expect(run('/no/such/file.pdf')).rejects.toThrow(UsageError);
  });
});
