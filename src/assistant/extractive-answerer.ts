import { analyze } from '../retrieval';
import { answerDetector, expectedAnswerType } from '../retrieval/text/answer-type';
import { splitSentences } from './sentences';
import type { AnswerLanguage } from './language';

/** A retrieved chunk as the answerer sees it: the number it is cited by and its retrieval rank (1 = best). */
export interface EvidenceChunk {
  index: number;
  rank: number;
  text: string;
  /** The chunk's document; chunks of one document share a topic. */
  document?: string;
}

export interface ExtractedSentence {
  text: string;
  chunkIndex: number;
  score: number;
}

export interface ExtractiveAnswer {
  answer: string;
  sentences: ExtractedSentence[];
  /** Chunk numbers cited, in answer order. */
  cited: number[];
}

type QuestionKind = 'quantity' | 'time' | 'person' | 'place' | 'which' | 'other';

const KIND_PATTERNS: Array<[QuestionKind, RegExp]> = [
  ['time', /什么时候|何时|哪一?年|哪一?天|几月|几号|几点|哪个月|日期|时间是|\bwhen\b|\bwhat (?:year|date|time|day|month)\b|\bwhich (?:year|date|day|month)\b|\bdate\b/i],
  ['quantity', /多少|几[个位名人次岁年天件场种家条只]?|多大|多长|多高|多重|多远|多久|人数|数量|金额|\bhow (?:many|much|long|old|far|big|tall|large)\b|\bnumber of\b|\bpercentage\b/i],
  ['person', /谁|哪位|哪个人|\bwho(?:m|se)?\b/i],
];
const WHICH = /哪|什么|何种|\bwhich\b|\bwhat\b|\bwhere\b|\bname of\b/i;

const NUMBER = /\d|[一二两三四五六七八九十百千万亿]/u;
const TIME = /\d{1,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*[日号]|[一二三四五六七八九十〇零]{2,4}年|\b(?:1[5-9]\d\d|20\d\d)\b|\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|世纪|年代/iu;
/** A day, not just a year: "Nov. 12", "12 November", "7月19日". */
const FULL_DATE = /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\b|\d{1,2}\s*月\s*\d{1,2}\s*[日号]/u;
const CAPITALISED = /\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*/g;
const HAN = /\p{Script=Han}/u;

export function questionKind(question: string): QuestionKind {
  for (const [kind, pattern] of KIND_PATTERNS) if (pattern.test(question)) return kind;
  // Where-questions (哪里, 在哪, 哪个国家, where, location) are told apart as retrieval tells them apart.
  if (expectedAnswerType(question) === 'place') return 'place';
  return WHICH.test(question) ? 'which' : 'other';
}

/**
 * What a factoid sentence's score is multiplied by: it holds an answer of the asked kind (a number,
 * a date, a detected name or place the question does not have); it may hold one (a who/where
 * question's sentence with new terms but no detected name or place: the detector misses names
 * outside its surname list, teams, and a university asked for by 哪里); it holds none.
 * Measured from 0.6 (the detector trusted alone: lost a team and a who-is-X question) to 1.3 (no
 * difference from a detected name: lost the who/where gains); only 1.2 kept every gain (docs/assistant.md).
 */
const HOLDS_ANSWER = 1.3;
const MAY_HOLD_ANSWER = 1.2;
const HOLDS_NO_ANSWER = 0.6;
/**
 * How much an article's subject terms (those of the best chunk's opening sentence) weigh against the
 * question's other terms. Every sentence of the article is credited with them, so among its sentences
 * the attribute asked for decides; above 1 they keep sentences of other documents, which lack the
 * subject, behind. Measured 0.35 to 3 (cmrc2018 contains): 1.25 to 2 alike (0.938), 1 and 3 lower,
 * below 1 off-topic sentences got cited (docs/assistant.md).
 */
const SUBJECT_WEIGHT = 1.5;
/** A first line without a sentence stop, then a line break: the title an article's first chunk opens with. */
const TITLE_LINE = /^[^\n。！？.!?]{1,40}\n/u;
/**
 * The noun a question names as its answer's type (什么时期, 什么颜色, 哪个国家, which country). In an
 * article the answering sentence gives the value (20世纪20年代, 黄绿色) and seldom repeats the type
 * word, while other sentences use it in passing (这一时期主流的传播理论). Article mode only: a news
 * snippet often labels its value with the type word (类型: 纪录片), and weighed down there rgb_zh lost it.
 */
const ANSWER_TYPE = [/(?<!为)(?:什么|哪一?个|哪一?种|哪些)(\p{Script=Han}{2})/u, /\b(?:what|which)\s+([a-z]+)/i];
const ANSWER_TYPE_WEIGHT = 0.5;

type AnswerFactor = (sentence: string, newTerms: number) => number;

/** Rates sentences by whether they hold something the question asks for and does not already say; made once per question. */
function answerFactor(kind: QuestionKind, question: string): AnswerFactor {
  const grade = (strong: boolean, weak = false) => (strong ? HOLDS_ANSWER : weak ? MAY_HOLD_ANSWER : HOLDS_NO_ANSWER);
  switch (kind) {
    case 'quantity':
      return (sentence, newTerms) => grade(NUMBER.test(sentence.replace(/\[\d+\]/g, '')) && newTerms > 0);
    case 'time':
      return (sentence) => grade(TIME.test(sentence));
    case 'person': {
      const name = answerDetector('name', question);
      const asked = question.toLowerCase();
      return (sentence, newTerms) => {
        const capitalised = [...sentence.matchAll(CAPITALISED)].some((m) => (m.index ?? 0) > 0 && !asked.includes(m[0].toLowerCase()));
        return grade(name(sentence) || capitalised, HAN.test(sentence) && newTerms >= 1);
      };
    }
    case 'place': {
      const place = answerDetector('place', question);
      return (sentence, newTerms) => grade(place(sentence), newTerms >= 1);
    }
    case 'which':
      return (_, newTerms) => grade(newTerms >= 1);
    default:
      return () => 1;
  }
}

/** Share of the question's terms a text holds; the no-evidence check uses it on whole chunks. */
export function termCoverage(questionTerms: ReadonlySet<string>, text: string): number {
  if (!questionTerms.size) return 0;
  const terms = new Set(analyze(text));
  let hit = 0;
  for (const t of questionTerms) if (terms.has(t)) hit++;
  return hit / questionTerms.size;
}

/**
 * The extractive answer: every sentence of the retrieved chunks is scored by the question terms it
 * holds (weighted by how rare each term is among the retrieved sentences, so "机场" counts less
 * than "漠河"), plus a small prior for the chunk's retrieval rank; for a factoid question (who, where,
 * when, how many, 多少, 哪, 谁, 哪里, 什么时候) a sentence that also holds a candidate answer (a number,
 * a date, a person or place found by retrieval's detectors, terms the question does not have) wins
 * over one that merely repeats the question. The best
 * sentence, and one or two close runners-up, make the answer, each with its chunk's citation.
 */
export function extractAnswer(question: string, chunks: readonly EvidenceChunk[], language: AnswerLanguage, maxChars = 360): ExtractiveAnswer {
  const questionTerms = new Set(analyze(question));
  const kind = questionKind(question);
  const rate = answerFactor(kind, question);
  const candidates: Array<{ text: string; chunkIndex: number; rank: number; document?: string; terms: Set<string> }> = [];
  for (const chunk of chunks) {
    for (const text of splitSentences(chunk.text)) {
      if (Array.from(text).length < 4) continue;
      candidates.push({ text, chunkIndex: chunk.index, rank: chunk.rank, document: chunk.document, terms: new Set(analyze(text)) });
    }
  }
  if (!candidates.length || !questionTerms.size) return { answer: '', sentences: [], cited: [] };
  const df = new Map<string, number>();
  for (const c of candidates) for (const t of questionTerms) if (c.terms.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  // The subject (what the best chunk opens with) is what every sentence of its article is about, said
  // or not (眼之虹膜黄绿色 is about 拉迪氏苦味银汉鱼); the attribute asked for (虹膜, 颜色, 水温) is what
  // tells the answering sentence apart. Only for an article: the best chunk opens with a title line,
  // or its document gave more than one chunk, or it is the only chunk. A pile of one-passage news
  // snippets has no such subject: applied always, the first version helped cmrc2018 and cost rgb.
  const top = chunks[0];
  const sameDocument = chunks.filter((c) => c.document === top?.document).length;
  const article = sameDocument >= 2 || chunks.length === 1 || TITLE_LINE.test(top?.text ?? '');
  const opening = article ? (candidates[0]?.terms ?? new Set<string>()) : new Set<string>();
  const subject = [...questionTerms].filter((t) => opening.has(t));
  const answerType = opening.size ? answerTypeTerms(question) : new Set<string>();
  const topicWeight = (t: string) => (opening.has(t) ? SUBJECT_WEIGHT : 1) * (answerType.has(t) ? ANSWER_TYPE_WEIGHT : 1);
  const idf = (t: string) => topicWeight(t) * Math.log(1 + candidates.length / (1 + (df.get(t) ?? 0)));
  let total = 0;
  const asked = [...questionTerms];
  for (const t of asked) if (!partOfLongerHit(t, asked)) total += idf(t);

  const scored: ExtractedSentence[] = candidates.map((c) => {
    let matched = 0;
    let newTerms = 0;
    const hits = [...questionTerms].filter((t) => c.terms.has(t));
    // Not when the question is the subject alone (拉姆·巴兰·亚达夫是谁): nothing else tells the
    // article's sentences apart, and the opening one, which says what the subject is, answers it.
    if (opening.size && c.document === top?.document && subject.length < questionTerms.size) for (const t of subject) if (!c.terms.has(t)) hits.push(t);
    for (const t of hits) if (!partOfLongerHit(t, hits)) matched += idf(t);
    for (const t of c.terms) if (!questionTerms.has(t)) newTerms++;
    const coverage = Math.min(1, matched / total);
    // A factoid sentence without a candidate answer only repeats the question: it is worth less.
    const factor = rate(c.text, newTerms);
    let score = coverage * factor + 0.1 / c.rank;
    // "When" is best answered with a day; a year alone is a weaker candidate.
    if (kind === 'time' && factor > 1 && FULL_DATE.test(c.text)) score += 0.1 * coverage;
    // Very long sentences (a table row run-on, a paragraph without stops) make poor answers.
    const length = Array.from(c.text).length;
    if (length > 240) score *= 240 / length;
    return { text: c.text, chunkIndex: c.chunkIndex, score };
  });
  scored.sort((a, b) => b.score - a.score);
  const best = scored[0];
  if (best.score <= 0.1) return { answer: '', sentences: [], cited: [] };

  const picked: ExtractedSentence[] = [best];
  const limit = kind === 'other' ? 3 : 2;
  let chars = Array.from(best.text).length;
  for (const s of scored.slice(1)) {
    if (picked.length >= limit || s.score < best.score * 0.75) break;
    const length = Array.from(s.text).length;
    if (chars + length > maxChars || picked.some((p) => p.text === s.text)) continue;
    picked.push(s);
    chars += length;
  }
  const parts = picked.map((s) => `${clip(s.text, maxChars)}[${s.chunkIndex}]`);
  const cited = [...new Set(picked.map((s) => s.chunkIndex))];
  return { answer: parts.join(language === 'zh' ? '' : ' '), sentences: picked, cited };
}

function answerTypeTerms(question: string): Set<string> {
  for (const pattern of ANSWER_TYPE) {
    const match = pattern.exec(question);
    if (match) return new Set(analyze(match[1]));
  }
  return new Set();
}

/**
 * Jieba's search mode gives a long Chinese name and its parts (拉迪氏苦味银汉鱼, 银汉鱼, 苦味), and the
 * analyser splits a mixed token into its runs (stam1na, stam, na); counted separately, a sentence that
 * only names the subject would outweigh the one that answers. A term inside a longer matched term is
 * counted once, through the longer one.
 */
function partOfLongerHit(term: string, hits: readonly string[]): boolean {
  return hits.some((h) => h !== term && h.length > term.length && h.includes(term));
}

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
