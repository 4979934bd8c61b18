import type { ParsedDocument } from '../core/parsed-document';
import { joinLines } from '../text/normalize-text';
import { BlockBuilder } from './block-builder';

const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const LIST = /^\s*([-*+]|\d{1,3}[.)])\s+(.*)$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** Inline markup reduced to its text: links and images by their text, emphasis and code unwrapped. */
export function stripInline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*])[*_]([^*_]+)[*_](?=[^\w*]|$)/g, '$1$2')
    .replace(/<[^>]+>/g, '');
}

function splitRow(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => stripInline(c.trim()));
}

/** Markdown to blocks: ATX and setext headings, lists, pipe tables, fenced code, block quotes, paragraphs. */
export function parseMarkdown(source: string, filename: string): ParsedDocument {
  const out = new BlockBuilder();
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let paragraph = '';
  const flush = () => {
    out.add('paragraph', stripInline(paragraph));
    paragraph = '';
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^\s*>\s?/, '');
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence[1]); i++) body.push(lines[i]);
      out.add('code', body.join('\n'), true);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      out.heading(stripInline(heading[2]), heading[1].length);
      continue;
    }
    if (paragraph && /^\s*(=+|-+)\s*$/.test(line) && !LIST.test(paragraph)) {
      out.heading(stripInline(paragraph), line.trim().startsWith('=') ? 1 : 2);
      paragraph = '';
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      flush();
      const rows = [splitRow(line)];
      for (i += 2; i < lines.length && lines[i].includes('|') && lines[i].trim() !== ''; i++) rows.push(splitRow(lines[i]));
      i--;
      out.table(rows);
      continue;
    }
    const item = LIST.exec(line);
    if (item) {
      flush();
      let text = item[2];
      // Indented continuation lines belong to the item.
      while (i + 1 < lines.length && /^\s{2,}\S/.test(lines[i + 1]) && !LIST.test(lines[i + 1])) text = joinLines(text, lines[++i].trim());
      out.add('list_item', stripInline(text));
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph = joinLines(paragraph, line.trim());
  }
  flush();
  return { filename, blocks: out.blocks, metadata: { format: 'markdown', pages: 1, warnings: [] } };
}
