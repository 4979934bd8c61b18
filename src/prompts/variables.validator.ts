import { TemplateVariablesError, type VariableProblem } from './prompts.errors';
import type { ChunkValue, MessageValue, VariableSpec } from './prompt-template.types';

const ROLES = new Set(['user', 'assistant', 'system']);
const CHUNK_KEYS = new Set(['text', 'index', 'rank', 'source', 'page', 'sheet', 'cells']);
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/** Why a value does not fit its variable, or null when it does. Messages are what an API caller reads. */
export function checkValue(spec: VariableSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return `must be text, got ${typeOf(value)}`;
      if (spec.maxLength !== undefined && value.length > spec.maxLength) return `is ${value.length} characters, over the limit of ${spec.maxLength}`;
      return null;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${typeOf(value)}`;
      if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `must be true or false, got ${typeOf(value)}`;
    case 'enum':
      return typeof value === 'string' && spec.values!.includes(value) ? null : `must be one of ${spec.values!.join(', ')}, got ${JSON.stringify(value)}`;
    case 'chunks':
      return checkChunks(value);
    case 'messages':
      return checkMessages(value);
  }
}

function checkChunks(value: unknown): string | null {
  if (!Array.isArray(value)) return `must be a list of chunks, got ${typeOf(value)}`;
  for (const [i, c] of value.entries()) {
    if (typeof c === 'string') continue;
    if (typeof c !== 'object' || c === null || typeof (c as ChunkValue).text !== 'string') return `item ${i + 1} must be text or {text, source?, page?, index?, rank?}`;
    const extra = Object.keys(c).find((k) => !CHUNK_KEYS.has(k));
    if (extra) return `item ${i + 1} has an unknown field "${extra}"`;
    for (const k of ['index', 'rank', 'page'] as const) {
      const n = (c as Record<string, unknown>)[k];
      if (n !== undefined && (!Number.isInteger(n) || (n as number) < 1)) return `item ${i + 1}: ${k} must be a positive integer`;
    }
    for (const k of ['source', 'sheet', 'cells'] as const) {
      const s = (c as Record<string, unknown>)[k];
      if (s !== undefined && typeof s !== 'string') return `item ${i + 1}: ${k} must be text`;
    }
  }
  const indexes = value.map((c, i) => (typeof c === 'object' && (c as ChunkValue).index) || i + 1);
  if (new Set(indexes).size !== indexes.length) return 'chunk numbers (index) must be unique';
  return null;
}

function checkMessages(value: unknown): string | null {
  if (!Array.isArray(value)) return `must be a list of {role, content} messages, got ${typeOf(value)}`;
  for (const [i, m] of value.entries()) {
    if (typeof m !== 'object' || m === null || !ROLES.has((m as MessageValue).role) || typeof (m as MessageValue).content !== 'string') {
      return `item ${i + 1} must be {role: user | assistant | system, content: text}`;
    }
  }
  return null;
}

/** Chunks in their canonical shape: numbered by position unless numbered already, ranked by position unless ranked. */
export function normaliseChunks(value: ReadonlyArray<string | Partial<ChunkValue>>): ChunkValue[] {
  return value.map((c, i) => {
    const chunk = typeof c === 'string' ? { text: c } : c;
    return { ...chunk, text: chunk.text ?? '', index: chunk.index ?? i + 1, rank: chunk.rank ?? i + 1 };
  });
}

/**
 * The values a render uses: defaults filled in, chunks normalised. Every problem is collected, so
 * one 400 names every missing, unknown and mistyped variable at once.
 */
export function resolveVariables(specs: Record<string, VariableSpec>, given: Record<string, unknown>): Record<string, unknown> {
  const problems: VariableProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) problems.push({ variable: name, problem: `unknown variable; this template takes ${Object.keys(specs).join(', ') || 'none'}` });
  }
  for (const [name, spec] of Object.entries(specs)) {
    let value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (value === undefined || value === null) {
      if (spec.required) {
        problems.push({ variable: name, problem: 'missing (required)' });
        continue;
      }
      value = spec.default ?? emptyOf(spec);
      if (value === undefined) continue; // optional number or enum left unset: the template tests it with `is defined`
    }
    // A required text must say something: an empty question is refused here, not answered.
    if (spec.required && spec.type === 'string' && typeof value === 'string' && value.trim() === '') {
      problems.push({ variable: name, problem: 'must not be empty' });
      continue;
    }
    const problem = checkValue(spec, value);
    if (problem) problems.push({ variable: name, problem });
    else values[name] = spec.type === 'chunks' ? normaliseChunks(value as Array<string | ChunkValue>) : value;
  }
  if (problems.length) throw new TemplateVariablesError(problems);
  return values;
}

/** What an optional variable without a default renders as: nothing, so `{% if x %}` blocks drop out. */
function emptyOf(spec: VariableSpec): unknown {
  if (spec.type === 'chunks' || spec.type === 'messages') return [];
  if (spec.type === 'boolean') return false;
  if (spec.type === 'string') return '';
  return undefined;
}
