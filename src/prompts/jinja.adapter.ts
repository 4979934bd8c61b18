import type { Template as JinjaTemplate } from '@huggingface/jinja' with { 'resolution-mode': 'import' };

/**
 * The one file that loads @huggingface/jinja (an ES module package that also ships a CommonJS
 * build, which is what `require` picks here). Jinja is the language model chat templates are already
 * written in; values are passed as data and never parsed as template text.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jinja = require('@huggingface/jinja') as { Template: new (source: string) => JinjaTemplate };

export interface CompiledSection {
  render(values: Record<string, unknown>): string;
}

/** Parses a template text; throws the engine's own error (with its message) on a syntax error. */
export function compileJinja(source: string): CompiledSection {
  const template = new jinja.Template(source);
  return { render: (values) => template.render(values) };
}
