import { judgeTextLayer } from './text-quality';

describe('text layer verdict', () => {
  it('calls a layer garbage when many glyphs map to one repeated character', () => {
    expect(judgeTextLayer('轉轉︰針針針針針針針針針針針針')).toBe('garbage');
    expect(judgeTextLayer('AAAAAAAA BBBBBBBB CCCC document')).toBe('garbage');
  });

  it('calls a short GBK-as-Latin-1 title garbage, not sparse', () => {
    // "目录" and "关于" in GBK bytes shown as Latin-1, as XiaoBiaoSong.pdf reads without its CMap.
    expect(judgeTextLayer('Ä¿Â¼ ¹ØÓÚ')).toBe('garbage');
    expect(judgeTextLayer('Café été')).toBe('sparse');
  });

  it('keeps real text with short repeats and dotted leaders as it is', () => {
    expect(judgeTextLayer('哈哈哈，他说。www.example.com 第一章 ........ 12 人人都知道这个道理，常常如此。')).toBe('ok');
    expect(judgeTextLayer('Hello World')).toBe('sparse');
    expect(judgeTextLayer('2021 3 31')).toBe('sparse');
  });
});
