import type { TextRun } from './pdfjs.adapter';

/**
 * Drops text runs drawn a second time over themselves. Producers fake bold for fonts without a
 * bold face (common with Chinese fonts in Word exports) by painting the same text twice, a fraction
 * of a point apart; pdf.js reports both, and the line would read "标题标题". A run is a duplicate
 * when an earlier run has the same text and size and is offset by under a fifth of an em and under
 * a third of its own width: two narrow glyphs set one after the other ("l" "l") stay apart. Returns
 * the runs kept, in their original order.
 */
export function dropOverlappingDuplicates(runs: TextRun[]): TextRun[] {
  const seen = new Map<string, TextRun[]>();
  const kept: TextRun[] = [];
  for (const run of runs) {
    const key = run.text.trim();
    const twins = seen.get(key);
    const dx = Math.min(run.fontSize * 0.2, run.width / 3);
    const dy = run.fontSize * 0.2;
    const duplicate = twins?.some(
      (t) => Math.abs(t.fontSize - run.fontSize) <= run.fontSize * 0.05 && Math.abs(t.x - run.x) <= dx && Math.abs(t.baseline - run.baseline) <= dy,
    );
    if (duplicate) continue;
    if (twins) twins.push(run);
    else seen.set(key, [run]);
    kept.push(run);
  }
  return kept;
}
