import { Parser } from 'htmlparser2';
import type { ParsedDocument } from '../core/parsed-document';
import { BlockBuilder } from './block-builder';

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head', 'iframe', 'object']);
const BREAKS = new Set(['p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'nav', 'blockquote', 'figure', 'figcaption', 'dd', 'dt', 'address', 'form', 'body', 'ul', 'ol', 'dl', 'hr']);

/** HTML (also mammoth's rendering of a docx) to blocks: headings, paragraphs, list items, tables, code. */
export function htmlToBlocks(html: string): { blocks: BlockBuilder['blocks']; title?: string } {
  const out = new BlockBuilder();
  let text = '';
  let skip = 0;
  let inTitle = false;
  let title = '';
  let pre = 0;
  const tables: { rows: string[][]; row?: string[]; cell?: string }[] = [];
  const flush = (kind: 'paragraph' | 'list_item' | 'code' = 'paragraph') => {
    if (kind === 'code') out.add('code', text, true);
    else out.add(kind, text);
    text = '';
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'title') inTitle = true;
        if (SKIP.has(name)) {
          skip++;
          return;
        }
        if (skip) return;
        const table = tables[tables.length - 1];
        if (name === 'table') {
          if (!table) flush();
          tables.push({ rows: [] });
        } else if (table && name === 'tr') table.row = [];
        else if (table && (name === 'td' || name === 'th')) table.cell = '';
        else if (table) return;
        else if (/^h[1-6]$/.test(name) || name === 'li' || name === 'pre' || BREAKS.has(name)) flush();
        if (name === 'pre') pre++;
        if (name === 'br') appendText('\n');
      },
      ontext(data) {
        if (inTitle) title += data;
        if (skip) return;
        appendText(pre ? data : data.replace(/\s+/g, ' '));
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (SKIP.has(name)) {
          skip = Math.max(0, skip - 1);
          return;
        }
        if (skip) return;
        const table = tables[tables.length - 1];
        if (table) {
          if ((name === 'td' || name === 'th') && table.row) {
            table.row.push((table.cell ?? '').trim());
            table.cell = undefined;
          } else if (name === 'tr' && table.row) {
            table.rows.push(table.row);
            table.row = undefined;
          } else if (name === 'table') {
            tables.pop();
            const outer = tables[tables.length - 1];
            // A nested table reads as text inside its outer cell.
            if (outer) outer.cell = (outer.cell ?? '') + ' ' + table.rows.map((r) => r.join(' ')).join(' ');
            else out.table(table.rows);
          }
          return;
        }
        const level = /^h([1-6])$/.exec(name);
        if (level) {
          out.heading(text, Number(level[1]));
          text = '';
        } else if (name === 'li') flush('list_item');
        else if (name === 'pre') {
          flush('code');
          pre = Math.max(0, pre - 1);
        } else if (BREAKS.has(name)) flush();
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  function appendText(data: string) {
    const table = tables[tables.length - 1];
    if (table) {
      if (table.cell !== undefined) table.cell += data;
      return;
    }
    text += data;
  }
  parser.write(html);
  parser.end();
  flush();
  return { blocks: out.blocks, title: title.trim() || undefined };
}

export function parseHtml(html: string, filename: string): ParsedDocument {
  const { blocks, title } = htmlToBlocks(html);
  return { filename, blocks, metadata: { format: 'html', pages: 1, warnings: [], ...(title ? { title } : {}) } };
}
