import type { ParsedDocument } from '../core/parsed-document';
import { htmlToBlocks } from './html.parser';
import { docxToHtml } from './mammoth.adapter';

export async function parseDocx(bytes: Uint8Array, filename: string): Promise<ParsedDocument> {
  const { html, messages } = await docxToHtml(bytes);
  const { blocks } = htmlToBlocks(html);
  const warnings = [...new Set(messages)].slice(0, 20);
  return { filename, blocks, metadata: { format: 'docx', pages: 1, warnings } };
}
