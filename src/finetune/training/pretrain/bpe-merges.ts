import { QWEN2_SPLIT_PATTERN } from '../../../moe/random/bpe.trainer';
import { bytesToByteLevel } from '../../../moe/tokenizer/byte-level';
import { compileHfRegex, splitWithBehavior } from '../../../moe/tokenizer/hf-regex';

interface Word {
  symbols: number[];
  count: number;
}

interface Entry {
  key: number;
  count: number;
}

/** Pair keys are numbers (a·2²¹ + b over symbol ids): string keys made every merge several times slower. */
const SHIFT = 2 ** 21;

/** A binary max-heap of pair counts; stale entries (the count changed since) are skipped when popped. */
class PairHeap {
  private readonly items: Entry[] = [];

  /** `before(x, y)`: x comes out first. */
  constructor(private readonly before: (x: Entry, y: Entry) => boolean) {}

  push(e: Entry): void {
    const a = this.items;
    a.push(e);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): Entry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l], a[m])) m = l;
        if (r < a.length && this.before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Learns byte-level BPE merges with the same rule as src/moe's trainByteLevelMerges (Qwen2 pre-split,
 * most frequent adjacent pair first, ties to the smaller pair text, left-to-right merging), and the same
 * result, but incrementally: a merge revisits only the words that hold its pair, and the next pair comes
 * off a heap instead of a scan of every pair. src/moe's rescans everything per merge (it is meant for
 * the few lines of a random tokenizer: ~27 ms a merge at 50k characters here), too slow for a corpus.
 */
export function learnByteLevelMerges(text: string, maxMerges: number): [string, string][] {
  const regex = compileHfRegex(QWEN2_SPLIT_PATTERN);
  const counts = new Map<string, number>();
  for (const piece of splitWithBehavior(text, regex, 'Isolated', false)) {
    const word = bytesToByteLevel(piece);
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const names: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (sym: string) => {
    let id = ids.get(sym);
    if (id === undefined) ids.set(sym, (id = names.push(sym) - 1));
    return id;
  };
  const words: Word[] = [...counts.entries()].map(([word, count]) => ({ symbols: [...word].map(idOf), count }));
  // The pair text a + "\0" + b orders as (a, then b): no symbol holds "\0", so a prefix sorts first either way.
  const heap = new PairHeap((x, y) => {
    if (x.count !== y.count) return x.count > y.count;
    const [xa, ya] = [names[Math.floor(x.key / SHIFT)], names[Math.floor(y.key / SHIFT)]];
    return xa !== ya ? xa < ya : names[x.key % SHIFT] < names[y.key % SHIFT];
  });
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  /** Adds (or removes) word w's adjacent pairs into `delta`. */
  const visit = (w: number, sign: 1 | -1, delta: Map<number, number>) => {
    const { symbols, count } = words[w];
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = symbols[i] * SHIFT + symbols[i + 1];
      delta.set(key, (delta.get(key) ?? 0) + sign * count);
      if (sign === 1) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };
  const apply = (delta: Map<number, number>) => {
    for (const [key, d] of delta) {
      if (d === 0) continue;
      const next = (pairCounts.get(key) ?? 0) + d;
      if (next === 0) pairCounts.delete(key);
      else {
        pairCounts.set(key, next);
        heap.push({ key, count: next });
      }
    }
  };
  const initial = new Map<number, number>();
  words.forEach((_, w) => visit(w, 1, initial));
  apply(initial);

  const merges: [string, string][] = [];
  while (merges.length < maxMerges) {
    let best = heap.pop();
    while (best && pairCounts.get(best.key) !== best.count) best = heap.pop();
    if (!best) break;
    const [a, b] = [Math.floor(best.key / SHIFT), best.key % SHIFT];
    merges.push([names[a], names[b]]);
    const merged = idOf(names[a] + names[b]);
    const delta = new Map<number, number>();
    // Stale members (words that no longer hold the pair) merge nothing and cancel out in delta.
    for (const w of pairWords.get(best.key) ?? []) {
      visit(w, -1, delta);
      const symbols = words[w].symbols;
      const out: number[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(symbols[i]);
      }
      words[w].symbols = out;
      visit(w, 1, delta);
    }
    pairWords.delete(best.key);
    apply(delta);
  }
  return merges;
}
