import type { DatasetRecord } from './dataset-record';
import { contentHash, dedupe, jaccard, shingleSet } from './dedupe';

const r = (instruction: string, output: string): DatasetRecord => ({ instruction, output, tags: [] });

describe('dedupe', () => {
  it('treats case, width, spacing and punctuation as the same text', () => {
    expect(contentHash(r('What is  RAG?', 'Retrieval.'))).toBe(contentHash(r('what is rag', 'retrieval')));
    expect(contentHash(r('年假有几天？', '１０天。'))).toBe(contentHash(r('年假有几天?', '10天')));
    expect(contentHash(r('a', 'b'))).not.toBe(contentHash(r('a b', '')));
  });

  it('removes exact and near duplicates, keeping the first, and says which it repeats', () => {
    const long = '漠河机场位于黑龙江省漠河县，是中国第一个建于永久冻土带的机场，投资金额为2.38亿元人民币，可满足年旅客吞吐量12万人次。';
    const records = [
      r('漠河机场的情况？', long),
      r('漠河机场的情况?', long), // exact after normalisation
      r('漠河机场的情况？', long.replace('12万', '十二万')), // one edit: near
      r('What is the capital of France?', 'Paris is the capital of France.'),
      r('Who wrote Hamlet?', 'William Shakespeare wrote Hamlet.'),
    ];
    const result = dedupe(records);
    expect(result.kept).toEqual([records[0], records[3], records[4]]);
    expect(result.exactDuplicates).toBe(1);
    expect(result.nearDuplicates).toBe(1);
    expect(result.dropped[0]).toEqual({ index: 1, of: 0, kind: 'exact' });
    expect(result.dropped[1]).toMatchObject({ index: 2, of: 0, kind: 'near' });
    expect(result.dropped[1].similarity).toBeGreaterThan(0.85);
    expect(dedupe(records, { near: false }).kept).toHaveLength(4);
  });

  it('keeps records that share a topic but differ in substance', () => {
    const a = r('漠河机场的投资金额是多少？', '2.38亿元人民币');
    const b = r('漠河机场的年旅客吞吐量是多少？', '12万人次');
    expect(jaccard(shingleSet(a.instruction + a.output), shingleSet(b.instruction + b.output))).toBeLessThan(0.5);
    expect(dedupe([a, b]).kept).toHaveLength(2);
  });

  it('is deterministic and scales to a few thousand records', () => {
    let seed = 12345;
    // Common CJK characters drawn by a fixed LCG: varied text like a real dataset, the same every run.
    const char = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), String.fromCharCode(0x4e00 + ((seed >>> 8) % 3500)));
    const text = (n: number) => Array.from({ length: n }, char).join('');
    const records = Array.from({ length: 3000 }, () => r(`${text(12)}？`, `${text(40)}。`));
    const started = Date.now();
    const once = dedupe(records);
    const elapsed = Date.now() - started;
    expect(dedupe(records)).toEqual(once);
    expect(once.kept).toHaveLength(3000);
    expect(elapsed).toBeLessThan(3000);
    process.stdout.write(`dedupe of 3000 records: ${elapsed} ms\n`);
  });
});
