import { Jieba } from '@node-rs/jieba';
import { dict, idf } from '@node-rs/jieba/dict';

/**
 * The one file that imports @node-rs/jieba. One segmenter per process (loading the dictionary takes
 * a few hundred milliseconds), created on first use.
 */
let jieba: Jieba | null = null;

function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

/** Precise-mode words of a run of Chinese text (HMM on, so unknown names come out whole). */
export function cutWords(text: string): string[] {
  return segmenter().cut(text, true);
}

/** Search-mode words: the precise words plus their dictionary sub-words, for recall. */
export function cutForSearch(text: string): string[] {
  return segmenter().cutForSearch(text, true);
}

let idfTable: Map<string, number> | null = null;

/**
 * jieba's shipped inverse-document-frequency table (about 270k Chinese words, values ln(N/df) from
 * its own corpus): a frozen, corpus-derived weight that makes the default embedder deterministic.
 */
export function jiebaIdf(): ReadonlyMap<string, number> {
  if (idfTable) return idfTable;
  const table = new Map<string, number>();
  for (const line of Buffer.from(idf).toString('utf8').split('\n')) {
    const space = line.lastIndexOf(' ');
    if (space <= 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) table.set(line.slice(0, space), value);
  }
  idfTable = table;
  return table;
}

/** A word with its ICTCLAS part-of-speech tag (nr person, ns place, nt organisation, x unknown to the dictionary). */
export interface TaggedWord {
  word: string;
  tag: string;
}

/**
 * Precise-mode words with part-of-speech tags, HMM on. jieba-rs tags a word the HMM found (one the
 * dictionary lacks, which is what most personal names are) as `x`, like punctuation.
 */
export function tagWords(text: string): TaggedWord[] {
  return segmenter().tag(text, true);
}
