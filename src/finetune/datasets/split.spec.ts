import type { DatasetRecord } from './dataset-record';
import { splitRecords } from './split';

const records: DatasetRecord[] = Array.from({ length: 50 }, (_, i) => ({ instruction: `问题 ${i}`, output: `答案 ${i}`, tags: [] }));
const validation = (rs: Array<{ instruction: string; split: string }>) => rs.filter((r) => r.split === 'validation').map((r) => r.instruction).sort();

describe('splitRecords', () => {
  it('puts round(n * ratio) records in validation, the same ones for the same seed', () => {
    const a = splitRecords(records, { validationRatio: 0.2, seed: 7 });
    expect(validation(a)).toHaveLength(10);
    expect(validation(splitRecords(records, { validationRatio: 0.2, seed: 7 }))).toEqual(validation(a));
    expect(validation(splitRecords(records, { validationRatio: 0.2, seed: 8 }))).not.toEqual(validation(a));
  });

  it('does not depend on the order of the records', () => {
    const reversed = splitRecords([...records].reverse(), { validationRatio: 0.2, seed: 7 });
    expect(validation(reversed)).toEqual(validation(splitRecords(records, { validationRatio: 0.2, seed: 7 })));
  });

  it('keeps at least one record on each side', () => {
    expect(validation(splitRecords(records.slice(0, 3), { validationRatio: 0.01, seed: 1 }))).toHaveLength(1);
    expect(validation(splitRecords(records.slice(0, 3), { validationRatio: 0.9, seed: 1 }))).toHaveLength(2);
  });
});
