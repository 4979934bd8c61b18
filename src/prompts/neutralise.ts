import type { ChunkValue, MessageValue } from './prompt-template.types';

/** Tags our shipped templates and most hand-written prompts use to fence data; always protected. */
const COMMON_TAGS = ['context', 'chunk', 'chunks', 'question', 'history', 'message', 'text', 'document', 'instructions', 'source', 'system', 'user', 'assistant', 'passage', 'reference', 'example'];
const TAG_IN_TEMPLATE = /<\/?\s*([A-Za-z][A-Za-z0-9_-]*)(?=[\s>/])/g;

/** The tag names a template uses as delimiters (found in its own text) plus the common ones. */
export function delimiterTags(templateBody: string): Set<string> {
  const tags = new Set(COMMON_TAGS);
  for (const m of templateBody.matchAll(TAG_IN_TEMPLATE)) tags.add(m[1].toLowerCase());
  return tags;
}

/**
 * Makes an inserted value unable to pass for the prompt's own structure. A value is data: it is never
 * parsed as a template, but the model reads the rendered text, so a question holding `</context>` or
 * a chunk holding `<chunk index="9">` could otherwise close the fence early or fake a source. We
 * replace the `<` of those tags with a full-width `＜` (the text stays readable), and likewise break
 * chat special-token look-alikes (`<|im_end|>`) and Jinja openers (`{{`, `{%`, `{#`, with a zero-width
 * space) so a rendered prompt pasted into a template or a chat template stays inert.
 */
export function neutraliseText(text: string, tags: ReadonlySet<string>): string {
  return text
    .replace(/<(\s*\/?\s*)([A-Za-z][A-Za-z0-9_-]*)/g, (m, slash: string, tag: string) => (tags.has(tag.toLowerCase()) ? `＜${slash}${tag}` : m))
    .replace(/<\|/g, '＜|')
    .replace(/\|>/g, '|＞')
    .replace(/\{([{%#])/g, '{\u200B$1');
}

/** Every text inside a value (strings, chunk fields, message contents), neutralised; numbers and booleans as they are. */
export function neutraliseValue(value: unknown, tags: ReadonlySet<string>): unknown {
  if (typeof value === 'string') return neutraliseText(value, tags);
  if (Array.isArray(value)) return value.map((v) => neutraliseValue(v, tags));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as ChunkValue | MessageValue)) out[k] = neutraliseValue(v, tags);
    return out;
  }
  return value;
}
