import { porterStem } from './porter-stemmer';
import { chineseProperNouns, type ProperNounKind } from './proper-nouns';

/**
 * What kind of answer a question asks for, and whether a passage holds one. Retrieval for questions
 * ("when was X released", "2022年春运开始时间", "how much did ...") fails on passages that are about
 * the right subject but lack the answer: news snippets around an event, the same event in another
 * year. A passage that holds an answer of the asked-for kind (a calendar date, an amount) is far more
 * likely to answer; hybrid search ranks such passages up by one more list in its fusion.
 *
 * Deliberately coarse: dates and amounts have unambiguous surface forms in English and Chinese; a
 * person or organisation asked for by "who" is, in English, a run of capitalised words that the
 * question does not already contain. Chinese names, places and organisations have no surface form,
 * so for Chinese who/where questions jieba's part-of-speech tags find them
 * (`proper-nouns.ts`). An English "where" answer is a capitalised name after in/at/near, a weak
 * test (it takes "in Literature" for a place); measured on one rgb_en question only (docs/retrieval.md).
 */
export type AnswerType = 'date' | 'amount' | 'name' | 'place';

const DATE_QUESTION_EN = /\bwhen\b|\b(?:what|which)\s+(?:year|date|day|month)\b|\b(?:date|dates)\b|\bhow long ago\b/i;
const DATE_QUESTION_ZH = /什么时候|何时|哪一?年|哪一?天|哪个月|几月|几号|日期|时间/;
const AMOUNT_QUESTION_EN = /\bhow\s+(?:much|many)\b|\b(?:revenue|revenues|price|cost|sales|profit|population|budget|salary|worth)\b/i;
const AMOUNT_QUESTION_ZH = /多少|几[个名人次辆家座]|数量|营收|收入|销量|产量|票房|金额|人数|增长了?多少|增速|比例/;

const NAME_QUESTION_EN = /^\s*(?:who|whom|whose)\b|\b(?:who|whom)\s+(?:is|was|were|are|won|wins|did|does|has|had)\b/i;
// Read after the date test, so 在哪一年 is a date question, not a place question. "哪家公司" gets no list:
// an organisation type moved no question on rgb_zh or cmrc2018 and cost one an nDCG point (docs/retrieval.md).
const PLACE_QUESTION_ZH = /哪里|哪儿|什么地方|何处|何地|在哪|哪[个一]?(?:国家?|座?城市|省|地区|地方)/;
const NAME_QUESTION_ZH = /谁|哪一?位/;

// Not "which country": that asks for a country as an actor ("which country won the most medals") as often as for a place.
const PLACE_QUESTION_EN = /\bwhere\b|\blocation\b|\bvenue\b|\b(?:which|what)\s+(?:city|town|stadium)\b/i;

export function expectedAnswerType(question: string): AnswerType | null {
  const q = question.normalize('NFKC');
  if (DATE_QUESTION_EN.test(q) || DATE_QUESTION_ZH.test(q)) return 'date';
  if (AMOUNT_QUESTION_EN.test(q) || AMOUNT_QUESTION_ZH.test(q)) return 'amount';
  if (NAME_QUESTION_EN.test(q)) return 'name';
  if (PLACE_QUESTION_EN.test(q)) return 'place';
  if (PLACE_QUESTION_ZH.test(q)) return 'place';
  if (NAME_QUESTION_ZH.test(q)) return 'name';
  return null;
}

const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const DAY = String.raw`(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?`;
const YEAR = String.raw`(?:1[5-9]\d\d|2[01]\d\d)`;
/** A date: "May 15, 2012", "15 May 2012", "June 2020", 2012-05-15; 2022年2月4日, 1月17日, 1993年, 20世纪. */
const DATE = new RegExp(
  [
    String.raw`\b${MONTH}\s+${DAY},?\s+(?:of\s+)?${YEAR}\b`,
    String.raw`\b${DAY}\s+${MONTH},?\s+${YEAR}\b`,
    String.raw`\b${MONTH},?\s+${YEAR}\b`,
    String.raw`\b${YEAR}-(?:0?[1-9]|1[0-2])-(?:[12]\d|3[01]|0?[1-9])\b`,
    String.raw`\d{1,2}月(?:\d{1,2}[日号])?`,
    String.raw`\d{4}年`,
    String.raw`\d{1,2}世纪`,
  ].join('|'),
  'giu',
);
/** A number with a currency or a unit of count, size or share. */
const AMOUNT = new RegExp(
  [
    String.raw`[$€£¥]\s?\d`,
    String.raw`\d(?:[\d,.]*\d)?\s?(?:%|‰|percent\b|per cent\b|(?:thousand|million|billion|trillion|bn|m)\b|dollars?\b|euros?\b|yuan\b|tons?\b|tonnes?\b|units?\b|vehicles?\b|people\b)`,
    String.raw`\d(?:[\d,.]*\d)?\s?(?:多|余)?(?:万|亿|千|百)?(?:元|美元|欧元|人民币|吨|斤|辆|人|台|个|件|次|家|座|架|艘|年|亿|万)`,
  ].join('|'),
  'giu',
);

/**
 * A passage's leading date is its dateline (when a news item or search snippet was published), not
 * a date it reports, so it does not count: "Feb 7, 2021 ... Super Bowl 2021 will ..." holds no date.
 */
const DATELINE_CHARS = 3;

/** Capitalised words that are not names on their own: sentence openers, months, days. */
const NOT_NAME = new Set(
  'the a an this that these those it he she they we i in on at of for by with from to and or but as after before when while if so his her their its our my your'
    .split(' ')
    .concat('january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec'.split(' '))
    .concat('monday tuesday wednesday thursday friday saturday sunday'.split(' ')),
);

/** The question's words by stem, so "Maxwell Award Winners" is not new to "Who is the Maxwell Award winner?". */
function askedStems(question: string): ReadonlySet<string> {
  return new Set((question.toLowerCase().match(/\p{L}+/gu) ?? []).map(porterStem));
}

/** A run of two or more capitalised words with at least one the question does not contain: "Emmanuel Macron". */
function holdsNewName(passage: string, asked: ReadonlySet<string>): boolean {
  for (const m of passage.matchAll(/\p{Lu}[\p{Ll}'’.-]+(?:\s+\p{Lu}[\p{Ll}'’.-]+)+/gu)) {
    const words = m[0].split(/\s+/).map((w) => w.toLowerCase().replace(/['’.-].*$/, ''));
    const named = words.filter((w) => !NOT_NAME.has(w));
    if (named.length >= 2 && named.some((w) => !asked.has(porterStem(w)))) return true;
  }
  return false;
}

/** A capitalised name after a preposition of place ("in Tampa, Florida", "at Raymond James Stadium") that the question does not contain. */
function holdsNewPlace(passage: string, asked: ReadonlySet<string>): boolean {
  for (const m of passage.matchAll(/\b(?:in|at|near)\s+(?:the\s+)?(\p{Lu}[\p{Ll}'’.-]+(?:,?\s+\p{Lu}[\p{Ll}'’.-]+)*)/gu)) {
    const words = m[1].split(/[\s,]+/).map((w) => w.toLowerCase().replace(/['’.-].*$/, ''));
    if (words.some((w) => !NOT_NAME.has(w) && !asked.has(porterStem(w)))) return true;
  }
  return false;
}

/** Which kinds of Chinese proper noun answer each type. */
const PROPER_NOUN_KINDS: Record<'name' | 'place', readonly ProperNounKind[]> = {
  name: ['person'],
  place: ['place'],
};

const HAN = /\p{Script=Han}/u;

/** A Chinese proper noun of one of `kinds` that the question does not already contain. */
function holdsNewProperNoun(passage: string, question: string, kinds: readonly ProperNounKind[]): boolean {
  if (!HAN.test(passage)) return false;
  return chineseProperNouns(passage).some((n) => kinds.includes(n.kind) && !question.includes(n.word));
}

/**
 * A test for passages holding an answer of `type` to `question`; made once per question so that
 * work on the question is not repeated for each of its candidates.
 */
export function answerDetector(type: AnswerType, question = ''): (passage: string) => boolean {
  const q = question.normalize('NFKC');
  if (type === 'amount') return (passage) => new RegExp(AMOUNT.source, AMOUNT.flags).test(passage.normalize('NFKC'));
  if (type === 'date') {
    return (passage) => {
      for (const m of passage.normalize('NFKC').matchAll(new RegExp(DATE.source, DATE.flags))) if (m.index! >= DATELINE_CHARS) return true;
      return false;
    };
  }
  const asked = askedStems(q);
  const kinds = PROPER_NOUN_KINDS[type];
  const holdsLatin = type === 'name' ? holdsNewName : holdsNewPlace;
  return (passage) => {
    const text = passage.normalize('NFKC');
    return holdsLatin(text, asked) || holdsNewProperNoun(text, q, kinds);
  };
}

export function holdsAnswerOfType(type: AnswerType, passage: string, question = ''): boolean {
  return answerDetector(type, question)(passage);
}
