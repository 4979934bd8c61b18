import { compileJinja, type CompiledSection } from './jinja.adapter';
import { delimiterTags, neutraliseValue } from './neutralise';
import { TemplateDefinitionError } from './prompts.errors';
import type { ChatMessage, ChunkValue, RenderedPrompt, TemplateDefinition } from './prompt-template.types';
import { resolveVariables } from './variables.validator';

/** A line `=== system ===` or `=== user ===` in a template body starts that chat message. */
const SECTION_LINE = /^===[ \t]*(system|user)[ \t]*===[ \t]*$/gm;

interface Sections {
  system: CompiledSection | null;
  user: CompiledSection;
}

/**
 * A template ready to render. Sections are split on the template's own source, before any value is
 * inserted, so no value can start a new section; each section is a separate Jinja template.
 */
export class CompiledTemplate {
  private readonly sections: Sections;
  private readonly tags: ReadonlySet<string>;

  constructor(readonly definition: TemplateDefinition, readonly version?: number) {
    this.sections = compileSections(definition.body);
    this.tags = delimiterTags(definition.body);
  }

  /** Renders with variables already resolved (see resolveVariables); chunk lists may be cut by the caller. */
  renderResolved(values: Record<string, unknown>): { system: string; user: string; messages: ChatMessage[] } {
    const safe = neutraliseValue(values, this.tags) as Record<string, unknown>;
    const system = this.sections.system ? tidy(this.sections.system.render(safe)) : '';
    const user = tidy(this.sections.user.render(safe));
    const messages: ChatMessage[] = system ? [{ role: 'system', content: system }, { role: 'user', content: user }] : [{ role: 'user', content: user }];
    return { system, user, messages };
  }

  /** Checks, fills defaults and renders; throws TemplateVariablesError naming every bad variable. */
  render(given: Record<string, unknown>): RenderedPrompt {
    const values = resolveVariables(this.definition.variables, given);
    return this.result(values, this.renderResolved(values), {});
  }

  chunkVariables(): string[] {
    return Object.entries(this.definition.variables).filter(([, s]) => s.type === 'chunks').map(([n]) => n);
  }

  result(values: Record<string, unknown>, text: { system: string; user: string; messages: ChatMessage[] }, trimmed: Record<string, number[]>, tokens?: number): RenderedPrompt {
    const included: Record<string, number[]> = {};
    for (const name of this.chunkVariables()) included[name] = ((values[name] as ChunkValue[]) ?? []).map((c) => c.index);
    const chunksTrimmed: Record<string, number[]> = {};
    for (const name of this.chunkVariables()) chunksTrimmed[name] = trimmed[name] ?? [];
    return {
      name: this.definition.name,
      ...(this.version !== undefined ? { version: this.version } : {}),
      ...text,
      parameters: this.definition.parameters,
      chunksIncluded: included,
      chunksTrimmed,
      ...(tokens !== undefined ? { tokens } : {}),
    };
  }
}

function compileSections(body: string): Sections {
  const marks = [...body.matchAll(SECTION_LINE)];
  const parts: Partial<Record<'system' | 'user', string>> = {};
  const problems: string[] = [];
  if (marks.length === 0) parts.user = body;
  else {
    if (body.slice(0, marks[0].index).trim() !== '') problems.push('text before the first "=== system ===" or "=== user ===" line');
    marks.forEach((m, i) => {
      const kind = m[1] as 'system' | 'user';
      if (parts[kind] !== undefined) problems.push(`the "=== ${kind} ===" section appears twice`);
      parts[kind] = body.slice(m.index! + m[0].length + 1, marks[i + 1]?.index ?? body.length);
    });
    if (parts.user === undefined) problems.push('a template with sections needs a "=== user ===" section');
  }
  if (problems.length) throw new TemplateDefinitionError(problems);
  const compile = (kind: string, source: string): CompiledSection => {
    try {
      return compileJinja(source);
    } catch (error) {
      throw new TemplateDefinitionError([`${kind} section: template syntax error: ${(error as Error).message}`]);
    }
  };
  return { system: parts.system !== undefined ? compile('system', parts.system) : null, user: compile('user', parts.user!) };
}

/** Trailing spaces and runs of blank lines left by skipped blocks go; the text the author wrote stays. */
function tidy(text: string): string {
  return text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim();
}
