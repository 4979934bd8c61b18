import { checkRecord, MAX_RECORD_BYTES } from './dataset-record';

describe('checkRecord', () => {
  it('trims, drops empty optionals and de-duplicates tags', () => {
    expect(checkRecord({ instruction: '  年假有几天？ ', input: ' ', output: '10 天', system: '', tags: ['hr', ' hr ', ''] })).toEqual({ instruction: '年假有几天？', output: '10 天', tags: ['hr'] });
  });

  it('names what is missing or empty', () => {
    expect(checkRecord({ output: 'a' })).toBe('missing instruction (the question)');
    expect(checkRecord({ instruction: 'q' })).toBe('missing output (the answer)');
    expect(checkRecord({ instruction: 'q', output: '   ' })).toBe('empty output (the answer)');
    expect(checkRecord({ instruction: 'q', output: 'a', history: [['only one']] as never })).toMatch(/history must be/);
    expect(checkRecord({ instruction: 'q', output: 'a', tags: [1] as never })).toMatch(/tags must be/);
  });

  it('refuses a record over the size limit, counting UTF-8 bytes', () => {
    const chinese = '知'.repeat(Math.ceil(MAX_RECORD_BYTES / 3) + 10);
    expect(chinese.length).toBeLessThan(MAX_RECORD_BYTES);
    expect(checkRecord({ instruction: 'q', output: chinese })).toMatch(/over the 65536-byte limit/);
    expect(typeof checkRecord({ instruction: 'q', output: 'a'.repeat(60_000) })).toBe('object');
  });
});
