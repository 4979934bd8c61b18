import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelPathError } from '../generator.errors';

/**
 * Resolves a folder given through the API (absolute, or relative to the models directory) to its
 * real path and checks that it lies inside the models directory. Symbolic links are followed first,
 * so a link inside the directory that points elsewhere is refused too.
 */
export function folderUnderModelsDir(modelsDir: string, given: string, what = 'path'): string {
  if (typeof given !== 'string' || given.trim() === '') throw new ModelPathError(`${what} is required`);
  const root = fs.realpathSync(modelsDir);
  const candidate = path.resolve(root, given);
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw new ModelPathError(`${what} ${given} does not exist (folders are resolved inside the models directory ${root})`);
  }
  const relative = path.relative(root, real);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new ModelPathError(`${what} ${given} is outside the models directory ${root}; copy or import the model there first`);
  }
  if (!fs.statSync(real).isDirectory()) throw new ModelPathError(`${what} ${given} is not a folder`);
  return real;
}

/** Bytes of the regular files in a folder (not following links). */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

/** A model name is a path segment and the OpenAI `model` field: keep it plain. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A folder under the models directory that holds a Hugging Face checkpoint, as the import form lists it. */
export interface CheckpointFolder {
  /** Relative to the models directory: what POST /api/models/import takes as `checkpoint`. */
  path: string;
  /** model_type from config.json, when it says. */
  modelType: string | null;
  sizeBytes: number;
}

/**
 * Checkpoint folders (config.json plus *.safetensors) under the models directory, two levels deep,
 * so an operator picks one instead of typing a path. Unreadable entries and links are skipped.
 */
export function listCheckpointFolders(modelsDir: string, depth = 2): CheckpointFolder[] {
  const root = fs.realpathSync(modelsDir);
  const found: CheckpointFolder[] = [];
  const visit = (dir: string, level: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const names = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    if (dir !== root && names.has('config.json') && [...names].some((n) => n.endsWith('.safetensors'))) {
      let modelType: string | null = null;
      try {
        const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { model_type?: unknown };
        modelType = typeof config.model_type === 'string' ? config.model_type : null;
      } catch {
        modelType = null;
      }
      found.push({ path: path.relative(root, dir), modelType, sizeBytes: folderBytes(dir) });
      return;
    }
    if (level >= depth) return;
    for (const e of entries) if (e.isDirectory()) visit(path.join(dir, e.name), level + 1);
  };
  visit(root, 0);
  return found.sort((a, b) => a.path.localeCompare(b.path));
}
