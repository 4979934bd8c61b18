import { joinLines, normalizeText, removeCjkSpaces } from './normalize-text';

describe('text normalisation', () => {
  it('joins lines: CJK without a space, English with one, broken words rejoined', () => {
    expect(joinLines('知识库的主要', '内容')).toBe('知识库的主要内容');
    expect(joinLines('使用', 'LangChain 框架')).toBe('使用LangChain 框架');
    expect(joinLines('the compi-', 'lation step')).toBe('the compilation step');
    expect(joinLines('called Trace-', 'Monkey')).toBe('called Trace-Monkey');
    expect(joinLines('see page', '42')).toBe('see page 42');
  });

  it('applies NFKC except to full-width punctuation, and drops control characters', () => {
    expect(normalizeText('⽤⽅ Ｗｏｒｄ ２０２４')).toBe('用方 Word 2024');
    expect(normalizeText('好，真的！…')).toBe('好，真的！…');
    expect(normalizeText('a\u0003b\u200bc')).toBe('abc');
  });

  it('reads a full-width point, colon or slash between digits as ASCII, and keeps it elsewhere', () => {
    // pdfjs__issue16063.pdf writes "0．75平方ミリメートル" and section numbers "1．1".
    expect(normalizeText('公称断面積が0．75平方 1．1 绝缘')).toBe('公称断面積が0.75平方 1.1 绝缘');
    expect(normalizeText('１０：３０ ２０２０／１／１')).toBe('10:30 2020/1/1');
    expect(normalizeText('第三章．概述：见下／上')).toBe('第三章．概述：见下／上');
    expect(normalizeText('图1：2016年 时间23：00，比分3：2')).toBe('图1：2016年 时间23:00，比分3：2');
  });

  it('shortens table-of-contents leader dots to one ellipsis, and keeps a real ellipsis', () => {
    expect(normalizeText('关于红军作战的原则⋯⋯⋯⋯⋯⋯⋯⋯ 1')).toBe('关于红军作战的原则… 1');
    expect(normalizeText('Introduction ........ 3')).toBe('Introduction … 3');
    expect(normalizeText('他说……好吧... 1.5')).toBe('他说……好吧... 1.5');
  });

  it('maps CJK supplement radicals, which NFKC leaves alone, to the ideographs they stand for', () => {
    // As the XMind/Skia export in mineru__introduction.pdf writes 常见, 骨架, 长度, 卤代烃.
    expect(normalizeText('常⻅物质 分子⻣架 碳链⻓度 ⻧代烃 键⻆')).toBe('常见物质 分子骨架 碳链长度 卤代烃 键角');
    expect(normalizeText('⺠⻔⻢')).toBe('民门马');
  });

  it('removes the spaces OCR leaves between Chinese characters only', () => {
    expect(removeCjkSpaces('我 是 中 国 人 and you')).toBe('我是中国人 and you');
  });
});
