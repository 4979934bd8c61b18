/**
 * Answer-quality measures of `zhiku eval answers`. Texts are compared after NFKC, lower-casing and
 * removing white space and punctuation, so "2.38亿元 人民币" and "2.38亿元人民币" are equal and
 * "Tampa, Florida" matches "tampa florida".
 */
export function normaliseAnswer(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\[\d+(?:,\s*\d+)*\]/g, '')
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** A gold item is a string or a list of alternatives (any one will do). */
export type GoldItem = string | string[];

const alternatives = (item: GoldItem): string[] => (Array.isArray(item) ? item : [item]).map(normaliseAnswer).filter(Boolean);

/** The answer holds at least one gold answer (any alternative of any item). */
export function containsAny(answer: string, gold: readonly GoldItem[]): boolean {
  const a = normaliseAnswer(answer);
  return gold.some((item) => alternatives(item).some((g) => a.includes(g)));
}

/** The answer holds every item (an item that is a list is satisfied by any of its alternatives). */
export function containsAll(answer: string, gold: readonly GoldItem[]): boolean {
  const a = normaliseAnswer(answer);
  const items = gold.map(alternatives).filter((alts) => alts.length);
  return items.length > 0 && items.every((alts) => alts.some((g) => a.includes(g)));
}

export function exactMatch(answer: string, gold: readonly GoldItem[]): boolean {
  const a = normaliseAnswer(answer);
  return gold.some((item) => alternatives(item).some((g) => g === a));
}

/** Character-level F1 (bag of characters), the best over every gold alternative. */
export function charF1(answer: string, gold: readonly GoldItem[]): number {
  const a = Array.from(normaliseAnswer(answer));
  let best = 0;
  for (const g of gold.flatMap(alternatives)) {
    const counts = new Map<string, number>();
    for (const c of g) counts.set(c, (counts.get(c) ?? 0) + 1);
    let common = 0;
    for (const c of a) {
      const n = counts.get(c) ?? 0;
      if (n > 0) {
        common++;
        counts.set(c, n - 1);
      }
    }
    if (!common) continue;
    const precision = common / a.length;
    const recall = common / Array.from(g).length;
    best = Math.max(best, (2 * precision * recall) / (precision + recall));
  }
  return best;
}

export interface AnswerSample {
  answer: string;
  mode: 'generative' | 'extractive' | 'no-evidence';
  gold: readonly GoldItem[];
  goldDocs: readonly string[];
  citedDocuments: readonly string[];
  refused: boolean;
}

export interface AnswerReport {
  questions: number;
  mode: string;
  contains: number;
  contains_all: number;
  exact_match: number;
  f1: number;
  cited: number;
  citations_in_gold: number;
  refusals: number;
}

const share = (n: number, d: number) => (d ? Math.round((n / d) * 10_000) / 10_000 : 0);

export function summarise(samples: readonly AnswerSample[], mode: string): AnswerReport {
  const n = samples.length;
  const withGoldDocs = samples.filter((s) => s.goldDocs.length);
  const citations = withGoldDocs.flatMap((s) => s.citedDocuments.map((d) => s.goldDocs.includes(d)));
  return {
    questions: n,
    mode,
    contains: share(samples.filter((s) => containsAny(s.answer, s.gold)).length, n),
    contains_all: share(samples.filter((s) => containsAll(s.answer, s.gold)).length, n),
    exact_match: share(samples.filter((s) => exactMatch(s.answer, s.gold)).length, n),
    f1: share(samples.reduce((sum, s) => sum + charF1(s.answer, s.gold), 0), n),
    cited: share(samples.filter((s) => s.citedDocuments.length > 0).length, n),
    citations_in_gold: share(citations.filter(Boolean).length, citations.length),
    refusals: share(samples.filter((s) => s.refused).length, n),
  };
}

export function formatAnswerReport(r: AnswerReport): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return [
    `questions          ${r.questions} (${r.mode})`,
    `contains           ${pct(r.contains)}`,
    `contains_all       ${pct(r.contains_all)}`,
    `exact_match        ${pct(r.exact_match)}`,
    `f1 (characters)    ${pct(r.f1)}`,
    `cited              ${pct(r.cited)}`,
    `citations_in_gold  ${pct(r.citations_in_gold)}`,
    `refusals           ${pct(r.refusals)}`,
    '',
  ].join('\n');
}
