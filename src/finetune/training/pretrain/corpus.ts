import * as fs from 'node:fs';
import * as path from 'node:path';
import { TrainingOptionsError } from '../training.errors';

const TEXT_EXTENSIONS = new Set(['.txt', '.md']);

/** The documents of a text corpus folder (.txt and .md, searched recursively, in path order). */
export function readCorpus(textDir: string): string[] {
  const root = path.resolve(textDir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new TrainingOptionsError(`--text ${textDir} is not a folder`);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && TEXT_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) files.push(full);
    }
  };
  walk(root);
  const docs = files.map((f) => fs.readFileSync(f, 'utf8').replace(/\r\n?/g, '\n').trim()).filter((t) => t.length > 0);
  if (docs.length === 0) throw new TrainingOptionsError(`${textDir} holds no non-empty .txt or .md file to train on`);
  return docs;
}

/**
 * Splits documents into a training and a held-out part: every k-th document (k = round(1/fraction))
 * is held out, so both parts span the corpus (both languages, every source) and the split is stable.
 */
export function holdOut<T>(docs: readonly T[], fraction: number): { train: T[]; heldOut: T[] } {
  if (!(fraction >= 0 && fraction < 1)) throw new TrainingOptionsError(`the held-out fraction must be in [0, 1), got ${fraction}`);
  if (fraction === 0 || docs.length < 2) return { train: [...docs], heldOut: [] };
  const every = Math.max(2, Math.round(1 / fraction));
  return { train: docs.filter((_, i) => i % every !== every - 1), heldOut: docs.filter((_, i) => i % every === every - 1) };
}
