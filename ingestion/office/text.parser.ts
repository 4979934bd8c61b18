import type { ParsedDocument } from '../core/parsed-document';
import { joinLines } from '../text/normalize-text';
import { BlockBuilder } from './block-builder';

const CHAPTER = /^(第[一二三四五六七八九十百千\d]{1,5}[章节回部篇卷]|[一二三四五六七八九十]{1,3}、|Chapter\s+\d+|\d{1,2}(\.\d{1,2}){0,2}\s+\S)/i;

/**
 * Plain text: paragraphs are separated by blank lines (lines inside one are joined, without spaces
 * in Chinese); a short standalone line that opens like a chapter ("第一章", "一、", "2.1 ") is a heading.
 */
export function parsePlainText(text: string, filename: string): ParsedDocument {
  const out = new BlockBuilder();
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  for (const para of paragraphs) {
    const lines = para.split('\n').map((l) => l.trim()).filter(Boolean);
    if (!lines.length) continue;
    if (lines.length === 1 && lines[0].length <= 40 && CHAPTER.test(lines[0]) && !/[。.！!？?；;，,]$/.test(lines[0])) {
      const depth = /^\d+(\.\d+)+/.exec(lines[0])?.[0].split('.').length ?? 1;
      out.heading(lines[0], depth);
      continue;
    }
    out.add('paragraph', lines.reduce((acc, l) => joinLines(acc, l), ''));
  }
  return { filename, blocks: out.blocks, metadata: { format: 'txt', pages: 1, warnings: [] } };
}
