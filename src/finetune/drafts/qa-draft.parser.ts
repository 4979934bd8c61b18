import { analyze } from '../../retrieval';

export interface DraftedPair {
  question: string;
  answer: string;
}

export interface ScoredPair extends DraftedPair {
  /** Share of the answer's terms that occur in the passage (0-1). */
  grounding: number;
}

export interface DraftScreening {
  kept: ScoredPair[];
  dropped: Array<DraftedPair & { reason: string }>;
}

/** Below this share of its terms found in the passage, an answer is taken to be made up. */
export const MIN_GROUNDING = 0.6;
const MAX_QUESTION_CHARS = 500;
const MAX_ANSWER_CHARS = 4000;

const QUESTION_KEYS = ['question', 'q', 'instruction', '问题', '问'];
const ANSWER_KEYS = ['answer', 'a', 'output', '答案', '答'];
const Q_LINE = /^\s*(?:[-*\d.)]+\s*)?(?:q|question|问题?)\s*[:：]\s*(.+)$/i;
const A_LINE = /^\s*(?:[-*\d.)]+\s*)?(?:a|answer|答案?)\s*[:：]\s*(.+)$/i;

/**
 * The pairs a model wrote, in the JSON-per-line form the qa-draft templates ask for, or in the
 * "Q: … / A: …" (问：/答：) form models fall back to. Anything else in the output is ignored.
 */
export function parseDraftedPairs(output: string): DraftedPair[] {
  const pairs = [...jsonPairs(output)];
  if (pairs.length === 0) pairs.push(...linePairs(output));
  return pairs
    .map((p) => ({ question: p.question.trim(), answer: p.answer.trim() }))
    .filter((p) => p.question.length > 0 && p.answer.length > 0);
}

function* jsonPairs(output: string): Generator<DraftedPair> {
  // Flat objects only: the pairs hold strings, so an object never nests braces.
  for (const match of output.matchAll(/\{[^{}]*\}/g)) {
    let value: unknown;
    try {
      value = JSON.parse(match[0]);
    } catch {
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    const entry = value as Record<string, unknown>;
    const question = pick(entry, QUESTION_KEYS);
    const answer = pick(entry, ANSWER_KEYS);
    if (question !== null && answer !== null) yield { question, answer };
  }
}

function pick(entry: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of Object.keys(entry)) {
    if (keys.includes(key.toLowerCase()) && typeof entry[key] === 'string') return entry[key] as string;
  }
  return null;
}

function* linePairs(output: string): Generator<DraftedPair> {
  let question: string | null = null;
  for (const line of output.split(/\r?\n/)) {
    const q = Q_LINE.exec(line);
    if (q) {
      question = q[1];
      continue;
    }
    const a = A_LINE.exec(line);
    if (a && question !== null) {
      yield { question, answer: a[1] };
      question = null;
    }
  }
}

/**
 * Keeps the pairs worth a reviewer's time: answers grounded in the passage (most of their terms, by
 * the retrieval analyser, occur in it), of sane length, each question once.
 */
export function screenPairs(pairs: readonly DraftedPair[], passage: string, seenQuestions: Set<string> = new Set()): DraftScreening {
  const passageTerms = new Set(analyze(passage));
  const kept: ScoredPair[] = [];
  const dropped: DraftScreening['dropped'] = [];
  for (const pair of pairs) {
    const key = analyze(pair.question).join(' ');
    let reason: string | null = null;
    if (pair.question.length > MAX_QUESTION_CHARS) reason = `question longer than ${MAX_QUESTION_CHARS} characters`;
    else if (pair.answer.length > MAX_ANSWER_CHARS) reason = `answer longer than ${MAX_ANSWER_CHARS} characters`;
    else if (key === '' || seenQuestions.has(key)) reason = key === '' ? 'question has no content words' : 'same question drafted twice';
    const grounding = groundingOf(pair.answer, passageTerms);
    if (!reason && grounding < MIN_GROUNDING) reason = `answer not grounded in the passage (${Math.round(grounding * 100)}% of its terms found, ${Math.round(MIN_GROUNDING * 100)}% needed)`;
    if (reason) {
      dropped.push({ ...pair, reason });
      continue;
    }
    seenQuestions.add(key);
    kept.push({ ...pair, grounding });
  }
  return { kept, dropped };
}

function groundingOf(answer: string, passageTerms: ReadonlySet<string>): number {
  const terms = analyze(answer);
  if (terms.length === 0) return 0;
  return terms.filter((t) => passageTerms.has(t)).length / terms.length;
}
