import { dump, load } from 'js-yaml';
import { TemplateDefinitionError } from './prompts.errors';
import {
  TEMPLATE_LANGUAGES,
  VARIABLE_TYPES,
  type GenerationParameters,
  type TemplateDefinition,
  type TemplateLanguage,
  type VariableSpec,
  type VariableType,
} from './prompt-template.types';
import { checkValue } from './variables.validator';

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;
export const TASK_PATTERN = /^[a-z][a-z0-9-]{0,49}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const TOP_KEYS = new Set(['name', 'description', 'task', 'language', 'variables', 'parameters']);
const SPEC_KEYS = new Set(['type', 'required', 'default', 'description', 'values', 'maxLength', 'min', 'max']);
const PARAM_KEYS = new Set(['temperature', 'maxTokens', 'topP', 'stop']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Splits `---\n<front matter>\n---\n<body>` and checks the front matter strictly: unknown keys,
 * wrong types and bad defaults are errors (a typo in a shipped file must fail start-up, not render
 * an empty variable). YAML is read with js-yaml's core schema: no custom tags, no code.
 */
export function parseTemplateSource(source: string, where = 'template'): TemplateDefinition {
  const match = splitSource(source);
  if (!match) throw new TemplateDefinitionError(['must start with a front matter block between two "---" lines'], where);
  let meta: unknown;
  try {
    meta = load(match[1]);
  } catch (error) {
    throw new TemplateDefinitionError([`front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`], where);
  }
  const definition = checkFrontMatter(meta, match[2], where);
  return definition;
}

const FRONT_MATTER = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)([\s\S]*)$/;

function splitSource(source: string): RegExpExecArray | null {
  return FRONT_MATTER.exec(source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
}

/** The same file with another body: an edit of the body alone leaves the front matter exactly as written. */
export function replaceBody(source: string, body: string): string {
  const match = splitSource(source);
  if (!match) throw new TemplateDefinitionError(['must start with a front matter block between two "---" lines']);
  return `---\n${match[1]}\n---\n${body}`;
}

/** Checks a definition given as data (the structured form of the API), with the same rules as a file. */
export function checkFrontMatter(meta: unknown, body: string, where = 'template'): TemplateDefinition {
  const problems: string[] = [];
  if (!isObj(meta)) throw new TemplateDefinitionError(['front matter must be a mapping of keys to values'], where);
  for (const key of Object.keys(meta)) if (!TOP_KEYS.has(key)) problems.push(`unknown front matter key "${key}"`);

  const name = meta.name;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) problems.push('name must be lowercase letters, digits, ".", "_" or "-" (1 to 100 characters)');
  const description = meta.description ?? '';
  if (typeof description !== 'string') problems.push('description must be text');
  const task = meta.task;
  if (typeof task !== 'string' || !TASK_PATTERN.test(task)) problems.push('task must be lowercase letters, digits or "-" (e.g. qa, summarize)');
  const language = meta.language;
  if (!TEMPLATE_LANGUAGES.includes(language as TemplateLanguage)) problems.push(`language must be one of ${TEMPLATE_LANGUAGES.join(', ')}`);

  const variables = checkVariables(meta.variables ?? {}, problems);
  const parameters = checkParameters(meta.parameters ?? {}, problems);
  if (body.trim() === '') problems.push('the template body after the front matter is empty');
  if (problems.length) throw new TemplateDefinitionError(problems, where);
  return { name: name as string, description: (description as string).trim(), task: task as string, language: language as TemplateLanguage, variables, parameters, body };
}

function checkVariables(raw: unknown, problems: string[]): Record<string, VariableSpec> {
  const out: Record<string, VariableSpec> = {};
  if (!isObj(raw)) {
    problems.push('variables must be a mapping of variable names to their definitions');
    return out;
  }
  for (const [name, spec] of Object.entries(raw)) {
    const at = `variable "${name}"`;
    if (!VARIABLE_NAME.test(name)) problems.push(`${at}: names are letters, digits and "_", not starting with a digit`);
    if (!isObj(spec)) {
      problems.push(`${at}: must be a mapping with at least a type`);
      continue;
    }
    for (const key of Object.keys(spec)) if (!SPEC_KEYS.has(key)) problems.push(`${at}: unknown key "${key}"`);
    const type = spec.type as VariableType;
    if (!VARIABLE_TYPES.includes(type)) {
      problems.push(`${at}: type must be one of ${VARIABLE_TYPES.join(', ')}`);
      continue;
    }
    const v: VariableSpec = { type, required: spec.required === true };
    if (spec.required !== undefined && typeof spec.required !== 'boolean') problems.push(`${at}: required must be true or false`);
    if (spec.description !== undefined) {
      if (typeof spec.description === 'string') v.description = spec.description;
      else problems.push(`${at}: description must be text`);
    }
    if (type === 'enum') {
      const values = spec.values;
      if (!Array.isArray(values) || values.length === 0 || !values.every((x) => typeof x === 'string')) problems.push(`${at}: an enum needs values, a non-empty list of strings`);
      else v.values = values as string[];
    } else if (spec.values !== undefined) problems.push(`${at}: values is only for enum variables`);
    if (spec.maxLength !== undefined) {
      if (type !== 'string') problems.push(`${at}: maxLength is only for string variables`);
      else if (!Number.isInteger(spec.maxLength) || (spec.maxLength as number) < 1) problems.push(`${at}: maxLength must be a positive integer`);
      else v.maxLength = spec.maxLength as number;
    }
    for (const bound of ['min', 'max'] as const) {
      if (spec[bound] === undefined) continue;
      if (type !== 'number') problems.push(`${at}: ${bound} is only for number variables`);
      else if (typeof spec[bound] !== 'number') problems.push(`${at}: ${bound} must be a number`);
      else v[bound] = spec[bound] as number;
    }
    if (spec.default !== undefined && spec.default !== null) {
      if (v.required) problems.push(`${at}: a required variable has no default (drop one of them)`);
      const problem = checkValue(v, spec.default);
      if (problem) problems.push(`${at}: default ${problem}`);
      else v.default = spec.default;
    }
    out[name] = v;
  }
  return out;
}

function checkParameters(raw: unknown, problems: string[]): GenerationParameters {
  const out: GenerationParameters = {};
  if (!isObj(raw)) {
    problems.push('parameters must be a mapping (temperature, maxTokens, topP, stop)');
    return out;
  }
  for (const key of Object.keys(raw)) if (!PARAM_KEYS.has(key)) problems.push(`unknown parameter "${key}" (known: ${[...PARAM_KEYS].join(', ')})`);
  const num = (key: 'temperature' | 'topP', min: number, max: number) => {
    const v = raw[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || v < min || v > max) problems.push(`parameter ${key} must be a number from ${min} to ${max}`);
    else out[key] = v;
  };
  num('temperature', 0, 2);
  num('topP', 0, 1);
  if (raw.maxTokens !== undefined) {
    if (!Number.isInteger(raw.maxTokens) || (raw.maxTokens as number) < 1 || (raw.maxTokens as number) > 1_000_000) problems.push('parameter maxTokens must be an integer from 1 to 1000000');
    else out.maxTokens = raw.maxTokens as number;
  }
  if (raw.stop !== undefined) {
    if (!Array.isArray(raw.stop) || !raw.stop.every((s) => typeof s === 'string' && s.length > 0) || raw.stop.length > 8) problems.push('parameter stop must be a list of at most 8 non-empty strings');
    else out.stop = raw.stop as string[];
  }
  return out;
}

/** The file form of a definition (what the API stores and diffs when an edit comes as structured fields). */
export function serializeTemplate(def: TemplateDefinition): string {
  const meta: Obj = { name: def.name, description: def.description, task: def.task, language: def.language };
  const variables: Obj = {};
  for (const [name, spec] of Object.entries(def.variables)) {
    const s: Obj = { type: spec.type };
    if (spec.required) s.required = true;
    for (const key of ['values', 'maxLength', 'min', 'max', 'default', 'description'] as const) if (spec[key] !== undefined) s[key] = spec[key];
    variables[name] = s;
  }
  meta.variables = variables;
  meta.parameters = def.parameters;
  const body = def.body.startsWith('\n') ? def.body.slice(1) : def.body;
  return `---\n${dump(meta, { lineWidth: 120 }).trimEnd()}\n---\n${body}`;
}
