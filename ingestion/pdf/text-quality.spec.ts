import { judgeTextLayer } from './text-quality';

describe('text layer verdict', () => {
  it('calls a layer garbage when many glyphs map to one repeated character', () => {
    expect(judgeTextLayer('轉轉︰針針針針針針針針針針針針')).toBe('garbage');
    expect(judgeTextLayer('AAAAAAAA BBBBBBBB CCCC document')).toBe('garbage');
  });

  it('keeps real text with short repeats and dotted leaders as it is', () => {
    expect(judgeTextLayer('哈哈哈，他说。www.example.com 第一章 ........ 12 人人都知道这个道理，常常如此。')).toBe('ok');
    expect(judgeTextLayer('Hello World')).toBe('sparse');
    expect(judgeTextLayer('2021 3 31')).toBe('sparse');
  });
});
