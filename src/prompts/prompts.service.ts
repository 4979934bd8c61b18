import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth';
import { ConflictError, InvalidInputError, NotFoundError } from '../common';
import type { CreatePromptDto, PreviewPromptDto, RenderPromptDto, TemplateFieldsDto, UpdatePromptDto } from './dto/prompt-request.dto';
import { mapPrompt, mapSummary, mapVersion, type PreviewedPromptDto, type PromptDiffDto, type PromptDto, type PromptSummaryDto, type PromptVersionDto, type RenderedPromptDto } from './dto/prompt-response.dto';
import { checkFrontMatter, NAME_PATTERN, parseTemplateSource, replaceBody, serializeTemplate } from './front-matter.parser';
import { lineDiff, unifiedDiff } from './line-diff';
import { estimateTokens, renderWithinBudget, type TokenCounter } from './prompt-budget';
import { CompiledTemplate } from './prompt.renderer';
import type { RenderedPrompt, TemplateDefinition, VariableSpec } from './prompt-template.types';
import { TemplateDefinitionError } from './prompts.errors';
import { PromptsRepository, type NewVersion, type TemplateRecord, type VersionOrigin, type VersionRecord } from './prompts.repository';

/** A template about to be saved: its definition and the text stored for it. */
interface Draft {
  def: TemplateDefinition;
  source: string;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface RenderOptions {
  /** A version other than the active one (previews). */
  version?: number;
  /** Token budget for the prompt's messages; chunks are trimmed lowest rank first to fit. */
  budget?: number;
  /** The model's tokenizer; an estimate when absent. */
  countTokens?: TokenCounter;
}

/**
 * Prompt templates: versions are immutable, an edit appends one and activates it; reads and renders
 * are open to every key, writes need an editor (the controller's @Roles). Also the entry point for the
 * assistant: `forTask` picks a template, `render` fills it within the model's token budget.
 */
@Injectable()
export class PromptsService {
  private readonly compiled = new Map<string, CompiledTemplate>();

  constructor(private readonly repository: PromptsRepository) {}

  async list(_auth: AuthContext, filter: { task?: string; language?: string }): Promise<PromptSummaryDto[]> {
    return (await this.repository.list(filter)).map(mapSummary);
  }

  async get(_auth: AuthContext, name: string, version?: number): Promise<PromptDto> {
    const t = await this.load(name);
    const v = await this.loadVersion(t, version ?? t.activeVersion);
    return mapPrompt(t, v, this.compile(v).definition);
  }

  async versions(_auth: AuthContext, name: string): Promise<PromptVersionDto[]> {
    const t = await this.load(name);
    return (await this.repository.versions(name)).map((v) => mapVersion(v, t.activeVersion));
  }

  async create(auth: AuthContext, dto: CreatePromptDto): Promise<PromptDto> {
    const draft = this.definitionOf(dto, null, dto.name);
    const def = draft.def;
    if (await this.repository.get(def.name)) throw new ConflictError(`a prompt template named "${def.name}" already exists; edit it with PUT /api/prompts/${def.name}`);
    const created = await this.repository.create(def.name, this.newVersion(draft, 'created', auth.keyName), false);
    if (!created) throw new ConflictError(`a prompt template named "${def.name}" already exists`);
    return this.get(auth, def.name);
  }

  /** An edit: a new version from the whole source, or the active version with the given fields replaced. */
  async update(auth: AuthContext, name: string, dto: UpdatePromptDto): Promise<PromptDto> {
    const t = await this.load(name);
    const active = await this.loadVersion(t, t.activeVersion);
    const next = this.newVersion(this.definitionOf(dto, this.compile(active).definition, name, active.source), 'edited', auth.keyName);
    if (next.sha256 === active.sha256) throw new ConflictError(`the edit changes nothing: it is the same as the active version ${active.version}`);
    if ((await this.repository.addVersion(name, next)) === null) throw this.notFound(name);
    return this.get(auth, name);
  }

  async activate(auth: AuthContext, name: string, version: number): Promise<PromptDto> {
    await this.load(name);
    if (!(await this.repository.activate(name, version))) throw new NotFoundError(`prompt template "${name}" has no version ${version}`);
    return this.get(auth, name);
  }

  /** Back to the version before the active one. */
  async rollback(auth: AuthContext, name: string): Promise<PromptDto> {
    const t = await this.load(name);
    if (t.activeVersion <= 1) throw new ConflictError(`version 1 of "${name}" is active: there is no earlier version to roll back to`);
    return this.activate(auth, name, t.activeVersion - 1);
  }

  async diff(_auth: AuthContext, name: string, from: number, to: number): Promise<PromptDiffDto> {
    const t = await this.load(name);
    const [a, b] = [await this.loadVersion(t, from), await this.loadVersion(t, to)];
    const lines = lineDiff(a.source, b.source);
    return {
      name,
      from,
      to,
      added: lines.filter((l) => l.op === '+').length,
      removed: lines.filter((l) => l.op === '-').length,
      lines,
      unified: unifiedDiff(lines, `${name} v${from}`, `${name} v${to}`),
    };
  }

  /** Shipped templates are the defaults the assistant falls back on, so only custom ones can go. */
  async delete(_auth: AuthContext, name: string): Promise<PromptSummaryDto> {
    const t = await this.load(name);
    if (t.shipped) throw new ConflictError(`"${name}" is a shipped default template and is in use; it cannot be deleted (edit it, or roll it back, instead)`);
    if (!(await this.repository.delete(name))) throw this.notFound(name);
    return mapSummary(t);
  }

  async preview(_auth: AuthContext, name: string, dto: RenderPromptDto): Promise<RenderedPromptDto> {
    return this.render(name, dto.variables ?? {}, { version: dto.version, budget: dto.budget });
  }

  /**
   * Renders a template that is not saved (the editor's text) the way a saved one would render:
   * the same parser and renderer, so what the preview shows is what saving would store. A source
   * that cannot be parsed is a 400 listing every front-matter problem; bad variables, a 400 naming each.
   */
  async previewSource(_auth: AuthContext, dto: PreviewPromptDto): Promise<PreviewedPromptDto> {
    const template = new CompiledTemplate(parseTemplateSource(dto.source));
    const variables = dto.variables ?? {};
    try {
      const rendered = dto.budget === undefined ? template.render(variables) : await renderWithinBudget(template, variables, { budget: dto.budget, countTokens: estimateTokens });
      return { ...rendered, variables: template.definition.variables };
    } catch (error) {
      // Typed errors (variables, budget) are the user's to fix as they are; a Jinja runtime error is the template's.
      if (error instanceof InvalidInputError) throw error;
      throw new TemplateDefinitionError([`the template fails to render: ${(error as Error).message}`]);
    }
  }

  // ---- for the assistant and the writing API ----

  /** Renders the active (or given) version; with a budget, trims context chunks to fit. */
  async render(name: string, variables: Record<string, unknown>, options: RenderOptions = {}): Promise<RenderedPrompt> {
    const template = await this.template(name, options.version);
    if (options.budget === undefined) return template.render(variables);
    return renderWithinBudget(template, variables, { budget: options.budget, countTokens: options.countTokens ?? estimateTokens });
  }

  /** The compiled active (or given) version of a template. */
  async template(name: string, version?: number): Promise<CompiledTemplate> {
    const t = await this.load(name);
    return this.compile(await this.loadVersion(t, version ?? t.activeVersion));
  }

  /**
   * The template for a task in a language: `<task>.<language>` when it exists, else another template
   * of that task and language (by name), else the task's template in any language.
   */
  async forTask(task: string, language: string): Promise<PromptSummaryDto> {
    const same = await this.repository.list({ task, language });
    const pick = same.find((t) => t.name === `${task}.${language}`) ?? same[0] ?? (await this.repository.list({ task }))[0];
    if (!pick) throw new NotFoundError(`no prompt template for task "${task}"`);
    return mapSummary(pick);
  }

  // ---- helpers ----

  private async load(name: string): Promise<TemplateRecord> {
    const t = NAME_PATTERN.test(name) ? await this.repository.get(name) : null;
    if (!t) throw this.notFound(name);
    return t;
  }

  private async loadVersion(t: TemplateRecord, version: number): Promise<VersionRecord> {
    const v = await this.repository.version(t.name, version);
    if (!v) throw new NotFoundError(`prompt template "${t.name}" has no version ${version} (latest is ${t.latestVersion})`);
    return v;
  }

  private notFound(name: string): NotFoundError {
    return new NotFoundError(`prompt template "${name}" not found`);
  }

  private compile(v: VersionRecord): CompiledTemplate {
    const key = `${v.sha256}:${v.version}`;
    let c = this.compiled.get(key);
    if (!c) {
      c = new CompiledTemplate(parseTemplateSource(v.source), v.version);
      if (this.compiled.size >= 500) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(key, c);
    }
    return c;
  }

  /** The definition a request describes: its source, or `base` with the given fields replaced. */
  private definitionOf(dto: TemplateFieldsDto & { name?: string }, base: TemplateDefinition | null, name: string | undefined, baseSource?: string): Draft {
    const fields = (['description', 'task', 'language', 'variables', 'parameters', 'body'] as const).filter((k) => dto[k] !== undefined);
    let def: TemplateDefinition;
    if (dto.source !== undefined) {
      if (fields.length) throw new InvalidInputError(`give either source or the fields (${fields.join(', ')}), not both`);
      def = parseTemplateSource(dto.source);
      if (name !== undefined && def.name !== name) throw new InvalidInputError(`the source names the template "${def.name}" but the request is for "${name}"`);
    } else {
      if (!base && (dto.body === undefined || dto.task === undefined || dto.language === undefined)) {
        throw new InvalidInputError('a new template needs source, or name, task, language and body (variables and parameters are optional)');
      }
      if (base && !fields.length) throw new InvalidInputError('nothing to change: give source or at least one of description, task, language, variables, parameters, body');
      def = checkFrontMatter(
        {
          name: name ?? base?.name,
          description: dto.description ?? base?.description ?? '',
          task: dto.task ?? base?.task,
          language: dto.language ?? base?.language,
          variables: dto.variables ?? base?.variables ?? {},
          parameters: dto.parameters ?? base?.parameters ?? {},
        },
        dto.body ?? base!.body,
      );
    }
    trialRender(def);
    // A file keeps its exact text (comments, layout); a body-only edit keeps the front matter as
    // written, so the diff shows the lines that changed; other field edits write the file form out.
    if (dto.source !== undefined) return { def, source: dto.source };
    const bodyOnly = baseSource !== undefined && (['description', 'task', 'language', 'variables', 'parameters'] as const).every((k) => dto[k] === undefined);
    return { def, source: bodyOnly ? replaceBody(baseSource, def.body) : serializeTemplate(def) };
  }

  private newVersion({ def, source }: Draft, origin: VersionOrigin, createdBy: string): NewVersion {
    return { source, description: def.description, task: def.task, language: def.language, sha256: sha256(source), origin, createdBy };
  }
}

/** Compiles and renders once with sample values, so a template that cannot render is refused when saved, not when used. */
export function trialRender(def: TemplateDefinition): void {
  const template = new CompiledTemplate(def);
  const sample = (s: VariableSpec): unknown => {
    if (s.default !== undefined) return s.default;
    switch (s.type) {
      case 'string': return 'sample';
      case 'number': return s.min ?? 1;
      case 'boolean': return false;
      case 'enum': return s.values![0];
      case 'chunks': return [{ text: 'sample', source: 'sample.pdf', page: 1 }];
      case 'messages': return [{ role: 'user', content: 'sample' }];
    }
  };
  try {
    template.render(Object.fromEntries(Object.entries(def.variables).map(([n, s]) => [n, sample(s)])));
  } catch (error) {
    throw new TemplateDefinitionError([`the template fails to render: ${(error as Error).message}`]);
  }
}
