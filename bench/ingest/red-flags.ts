import type { ParsedDocument } from '../../ingestion';

/**
 * What a reader would call wrong with a parsed document, judged from its text alone: the sweep
 * prints these per file so defects show without reading every output by hand.
 */
export function redFlags(doc: ParsedDocument): string[] {
  const flags: string[] = [];
  const text = doc.blocks.map((b) => b.text).join('\n');
  const visible = text.replace(/\s+/g, '');
  if (visible.length === 0) flags.push('empty text');
  const fffd = count(text, /\uFFFD/g);
  if (fffd) flags.push(`${fffd} U+FFFD`);
  const cid = count(text, /\(cid:\d+\)/g);
  if (cid) flags.push(`${cid} (cid:NN)`);
  const pua = count(text, /[\uE000-\uF8FF]/g);
  if (pua) flags.push(`${pua} private-use chars`);
  const controls = count(text, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g);
  if (controls) flags.push(`${controls} control chars`);
  const letters = count(text, /\p{L}/gu);
  const latin1 = count(text, /[\u00c0-\u00ff]/g);
  // Czech or French text stays under a fifth of accented Latin-1 letters; GBK bytes read as Latin-1 do not.
  if (letters >= 20 && latin1 / letters > 0.2) flags.push(`Latin-1 soup (${latin1}/${letters} letters)`);
  const radicals = count(text, /[\u2e80-\u2fdf\uf900-\ufaff]/g);
  if (radicals) flags.push(`${radicals} radical/compatibility ideographs (NFKC missed)`);
  const dup = duplicatedLines(doc);
  if (dup) flags.push(`${dup} duplicated lines on one page`);
  const doubled = doubledBlocks(doc);
  if (doubled > 0.05) flags.push(`${(doubled * 100).toFixed(0)}% of blocks with doubled letters (overlapping text layers?)`);
  if (doc.metadata.format === 'xlsx' || doc.metadata.format === 'xls' || doc.metadata.format === 'csv') {
    const rows = doc.blocks.filter((b) => b.kind === 'table_row');
    if (rows.length === 0) flags.push('spreadsheet without table rows');
    else if (rows.filter((r) => /: /.test(r.text)).length < rows.length * 0.5) flags.push('table rows without header: value pairs');
  }
  return flags;
}

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

/** The same line (8+ characters) twice on one page: overlapping text layers or a doubled OCR pass. */
function duplicatedLines(doc: ParsedDocument): number {
  const seen = new Set<string>();
  let dup = 0;
  for (const block of doc.blocks) {
    // Tables repeat values by nature; headings repeat as running titles.
    if (block.kind === 'table' || block.kind === 'table_row' || block.kind === 'heading' || block.kind === 'title') continue;
    for (const line of block.text.split('\n')) {
      const key = line.replace(/\s+/g, '');
      if (key.length < 8 || /^[\d\W]+$/u.test(key)) continue;
      const id = `${block.provenance.page ?? block.provenance.sheet ?? ''}|${key}`;
      if (seen.has(id)) dup++;
      seen.add(id);
    }
  }
  return dup;
}

/**
 * Share of blocks (8+ letters) whose letters come in pairs ("HHeelllloo", "知知识识"): fake bold
 * drawn twice and extracted twice.
 */
function doubledBlocks(doc: ParsedDocument): number {
  const candidates = doc.blocks.map((b) => [...b.text.replace(/[^\p{L}]/gu, '')]).filter((l) => l.length >= 8);
  if (!candidates.length) return 0;
  const doubled = candidates.filter((letters) => {
    let pairs = 0;
    for (let i = 0; i + 1 < letters.length; i += 2) if (letters[i] === letters[i + 1]) pairs++;
    return pairs >= Math.floor(letters.length / 2) * 0.9;
  });
  return doubled.length / candidates.length;
}
