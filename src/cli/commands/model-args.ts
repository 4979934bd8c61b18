import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../cli-errors';

/** A comma-separated list of non-negative token ids. */
export function parseIds(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new UsageError('--ids needs at least one token id, e.g. --ids 1,2,3');
  return parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new UsageError(`--ids: '${p}' is not a token id (non-negative integer)`);
    return Number(p);
  });
}

/** An integer option within [min, max]. */
export function parseIntOption(name: string, raw: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`${name} must be an integer, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function parseChoice<T extends string | number>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  const found = choices.find((c) => String(c) === raw.trim());
  if (found === undefined) throw new UsageError(`${name} must be one of ${choices.join(', ')}; got '${raw}'`);
  return found;
}

/**
 * NAME is a path to an imported model folder when it names an existing folder or contains a path
 * separator; otherwise it is a model name under the models directory.
 */
export function resolveModelDir(name: string, modelsDir: string): string {
  if (name.includes('/') || name.includes(path.sep) || fs.existsSync(name)) return path.resolve(name);
  return path.join(modelsDir, name);
}
