import type { Block, BlockKind } from '../core/parsed-document';
import { normalizeText, squashSpaces } from '../text/normalize-text';

/** Collects blocks in order and keeps the heading path that flat formats (html, markdown, docx) imply. */
export class BlockBuilder {
  readonly blocks: Block[] = [];
  private readonly stack: { level: number; text: string }[] = [];

  heading(text: string, level: number): void {
    const clean = squashSpaces(normalizeText(text));
    if (!clean) return;
    while (this.stack.length && this.stack[this.stack.length - 1].level >= level) this.stack.pop();
    this.blocks.push({ text: clean, kind: 'heading', level, provenance: { headingPath: this.path() } });
    this.stack.push({ level, text: clean });
  }

  add(kind: Exclude<BlockKind, 'heading'>, text: string, keepLines = false): void {
    const normal = normalizeText(text);
    const clean = keepLines ? normal.replace(/\s+$/, '').replace(/^\n+/, '') : squashSpaces(normal);
    if (!clean.trim()) return;
    this.blocks.push({ text: clean, kind, provenance: { headingPath: this.path() } });
  }

  table(rows: string[][]): void {
    const clean = rows.map((r) => r.map((c) => squashSpaces(normalizeText(c)))).filter((r) => r.some((c) => c !== ''));
    if (!clean.length) return;
    this.blocks.push({ text: clean.map((r) => r.join(' | ')).join('\n'), kind: 'table', rows: clean, provenance: { headingPath: this.path() } });
  }

  private path(): string[] {
    return this.stack.map((h) => h.text);
  }
}
