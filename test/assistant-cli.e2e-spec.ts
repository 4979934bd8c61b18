import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshDataDir } from '../src/database/testing/embedded-template';
import { zhiku } from './support/run-zhiku';

jest.setTimeout(120_000);

const DATA = path.resolve(__dirname, '..', '..', 'shared', 'data');
const PDF = path.join(DATA, 'docs', 'pdf', 'pdfjs__tracemonkey.pdf');

describe('zhiku ask | write | eval answers', () => {
  let data: string;

  beforeAll(async () => {
    data = await freshDataDir('zhiku-assistant-cli-');
    const ingested = await zhiku('--data', data, 'ingest', PDF, '--kb', 'papers', '--json');
    expect(ingested.code).toBe(0);
  });

  it('ask --json: the extractive answer with its page; bad arguments exit 2; write without a model exits 1 saying how to add one', async () => {
    const r = await zhiku('--data', data, 'ask', 'How many users does the Firefox web browser have?', '--kb', 'papers', '--json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(Object.keys(body)).toEqual(['answer', 'mode', 'citations']);
    expect(body.mode).toBe('extractive');
    expect(body.answer).toContain('200 million');
    expect(body.citations[0]).toMatchObject({ index: expect.any(Number), document: 'pdfjs__tracemonkey.pdf', page: 8, text: expect.stringContaining('Firefox') });

    const plain = await zhiku('--data', data, 'ask', 'How many users does the Firefox web browser have?');
    expect(plain.out).toMatch(/\(extractive\)\n\[\d+\] pdfjs__tracemonkey\.pdf \(p\. 8\)/);

    expect((await zhiku('--data', data, 'ask', '  ')).code).toBe(2);
    expect((await zhiku('--data', data, 'ask', 'x', '--kb', 'no such kb')).code).not.toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-write-'));
    fs.writeFileSync(path.join(dir, 'draft.txt'), 'Tracing JITs is fast.');
    const write = await zhiku('--data', data, 'write', 'polish', '--text', path.join(dir, 'draft.txt'));
    expect(write.code).toBe(1);
    expect(write.err).toMatch(/zhiku model import/);
  });

  it('eval answers --json on a seeded sample of cmrc2018 (extractive), with --details per question', async () => {
    const qa = path.join(DATA, 'qa', 'cmrc2018');
    const details = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-eval-')), 'details.jsonl');
    const r = await zhiku('--data', data, 'eval', 'answers', '--qa', path.join(qa, 'questions.jsonl'), '--docs', path.join(qa, 'docs'), '--limit', '12', '--seed', '3', '--json', '--details', details);
    // The error line is part of the expectation so a failure shows why.
    expect([r.code, r.code === 0 ? '' : r.err]).toEqual([0, '']);
    const report = JSON.parse(r.out);
    expect(Object.keys(report)).toEqual(['questions', 'mode', 'contains', 'contains_all', 'exact_match', 'f1', 'cited', 'citations_in_gold', 'refusals']);
    expect(report).toMatchObject({ questions: 12, mode: 'extractive', cited: 1 });
    expect(report.contains).toBeGreaterThan(0.4);
    expect(report.citations_in_gold).toBeGreaterThan(0.7);
    const lines = fs.readFileSync(details, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(12);
    expect(Object.keys(lines[0])).toEqual(['question', 'gold', 'answer', 'mode', 'contains', 'refused', 'citedDocuments', 'goldDocuments']);
    // The report rounds shares to 4 places (11/12 → 0.9167).
    expect(lines.filter((l) => l.contains).length / 12).toBeCloseTo(report.contains, 4);
    const unwritable = await zhiku('--data', data, 'eval', 'answers', '--qa', path.join(qa, 'questions.jsonl'), '--docs', path.join(qa, 'docs'), '--details', path.join(details, 'x', 'y.jsonl'));
    expect([unwritable.code, unwritable.err]).toEqual([2, expect.stringContaining('cannot write --details file')]);
    const bad = await zhiku('--data', data, 'eval', 'answers', '--qa', PDF, '--docs', path.join(qa, 'docs'));
    expect(bad.code).toBe(2);
  });
});
