export interface DiffLine {
  /** ' ' unchanged, '-' only in the old text, '+' only in the new one. */
  op: ' ' | '-' | '+';
  text: string;
  /** Line numbers in the old and new text (1-based); absent on the side the line is not in. */
  oldLine?: number;
  newLine?: number;
}

/**
 * Line diff by longest common subsequence. Templates are at most a few hundred lines, so the
 * quadratic table (after stripping the common head and tail) is small; a diff of two 2,000-line
 * texts is refused rather than allowed to take seconds.
 */
export function lineDiff(oldText: string, newText: string, maxLines = 2000): DiffLine[] {
  const a = oldText.replace(/\r\n?/g, '\n').split('\n');
  const b = newText.replace(/\r\n?/g, '\n').split('\n');
  if (a.length > maxLines || b.length > maxLines) throw new RangeError(`texts over ${maxLines} lines are not diffed`);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  // lcs[i][j]: length of the LCS of am[i..] and bm[j..]
  const lcs = Array.from({ length: am.length + 1 }, () => new Uint32Array(bm.length + 1));
  for (let i = am.length - 1; i >= 0; i--) {
    for (let j = bm.length - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: DiffLine[] = [];
  let ol = 1;
  let nl = 1;
  const same = (text: string) => out.push({ op: ' ', text, oldLine: ol++, newLine: nl++ });
  for (let k = 0; k < head; k++) same(a[k]);
  let i = 0;
  let j = 0;
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && am[i] === bm[j]) {
      same(am[i]);
      i++;
      j++;
    } else if (i < am.length && (j === bm.length || lcs[i + 1][j] >= lcs[i][j + 1])) out.push({ op: '-', text: am[i++], oldLine: ol++ });
    else out.push({ op: '+', text: bm[j++], newLine: nl++ });
  }
  for (let k = a.length - tail; k < a.length; k++) same(a[k]);
  return out;
}

/** The diff as unified-diff text with 3 lines of context (what `zhiku prompts diff` and the console show). */
export function unifiedDiff(lines: DiffLine[], fromLabel: string, toLabel: string, context = 3): string {
  const changed = lines.map((l, k) => (l.op !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (!changed.length) return '';
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = changed[k];
    while (k < changed.length && changed[k] - end <= 2 * context) end = changed[k++];
    end = Math.min(lines.length - 1, end + context);
    const hunk = lines.slice(start, end + 1);
    const oldStart = hunk.find((l) => l.oldLine)?.oldLine ?? 0;
    const newStart = hunk.find((l) => l.newLine)?.newLine ?? 0;
    out.push(`@@ -${oldStart},${hunk.filter((l) => l.op !== '+').length} +${newStart},${hunk.filter((l) => l.op !== '-').length} @@`);
    for (const l of hunk) out.push(`${l.op}${l.text}`);
  }
  return out.join('\n') + '\n';
}
