/** Citation markers as models write them: [1], [1, 3], [1][2], 【1】. */
const MARKER = /[\[【]\s*(\d{1,4}(?:\s*[,，、]\s*\d{1,4})*)\s*[\]】]/g;

export interface VerifiedAnswer {
  /** The answer with every marker that names no supplied chunk removed (and `[1, 9]` reduced to `[1]`). */
  text: string;
  /** The chunk numbers the answer cites, in order of first mention. */
  cited: number[];
  /** Numbers the model cited that name no supplied chunk. */
  removed: number[];
}

/**
 * Checks the model's citations against the chunks that were in its prompt (`chunksIncluded`, after
 * trimming): a number it was never shown cannot be a citation, whatever the model wrote.
 */
export function verifyCitations(answer: string, supplied: Iterable<number>): VerifiedAnswer {
  const allowed = new Set(supplied);
  const cited: number[] = [];
  const removed: number[] = [];
  const text = answer.replace(MARKER, (_whole, list: string) => {
    const numbers = list.split(/\s*[,，、]\s*/).map(Number);
    const kept = numbers.filter((n) => allowed.has(n));
    for (const n of numbers) if (!allowed.has(n) && !removed.includes(n)) removed.push(n);
    for (const n of kept) if (!cited.includes(n)) cited.push(n);
    return kept.length ? `[${[...new Set(kept)].join(', ')}]` : '';
  });
  // Removing a marker can leave a space before punctuation ("text [9].") → "text."
  return { text: text.replace(/[ \t]+([.,;:!?。，；：！？])/g, '$1').replace(/[ \t]{2,}/g, ' ').trim(), cited, removed };
}
