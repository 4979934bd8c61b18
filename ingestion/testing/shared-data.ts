import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The real test documents in ../shared/data/docs beside the repository (never copied into it). */
export const DOCS = resolve(__dirname, '../../..', 'shared/data/docs');

export function readDoc(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(resolve(DOCS, relative)));
}
