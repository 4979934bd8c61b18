/**
 * Parsers for environment values. Each returns the parsed value or throws a message that names
 * what was expected; the loader collects those messages for every variable.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseInteger(raw: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new Error(`expected a number from ${min} to ${max}, got ${value}`);
  return value;
}

/** "1mb", "512kb", "2048" (bytes) → bytes. */
export function parseByteSize(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  if (!match) throw new Error(`expected a size such as 512kb, 10mb or 1gb, got "${raw}"`);
  const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]);
  if (bytes < 1) throw new Error(`expected a size above zero, got "${raw}"`);
  return bytes;
}

export function parseOneOf<T extends string>(raw: string, allowed: readonly T[]): T {
  const value = raw.trim().toLowerCase() as T;
  if (!allowed.includes(value)) throw new Error(`expected one of ${allowed.join(', ')}, got "${raw}"`);
  return value;
}

export function parseUrl(raw: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`expected a URL such as ${protocols[0]}//host:port/..., got "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new Error(`expected a ${protocols.join(' or ')} URL, got "${url.protocol}"`);
  }
  return raw;
}

export function parseBoolean(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new Error(`expected true or false, got "${raw}"`);
}

/** Hides the password of a connection URL before it goes into a message or a log line. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable url>';
  }
}

/** An absolute path to a folder holding an ONNX model and tokenizer.json (an ONNX encoder or cross-encoder). */
export function parseModelFolder(raw: string, cwd: string, configName: string): string {
  const dir = path.resolve(cwd, raw.trim());
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`expected a folder with model.onnx, tokenizer.json and ${configName}; ${dir} is not a folder`);
  // The model file may be renamed in the config file; the retrieval module checks it when it loads the folder.
  if (!existsSync(path.join(dir, 'tokenizer.json'))) throw new Error(`${dir} lacks tokenizer.json (it needs model.onnx, tokenizer.json and optionally ${configName})`);
  return dir;
}
