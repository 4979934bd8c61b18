import { answerDetector, expectedAnswerType } from '../text/answer-type';
import { reciprocalRankFusion, type FusedItem } from './fusion';
import type { FusionOptions } from './search-options';

/** Weight of the answer-type list when FusionOptions does not set one (measured: docs/retrieval.md). */
export const DEFAULT_ANSWER_TYPE_WEIGHT = 1;

/**
 * Hybrid ranking, shared by the database engine and the in-memory harness so both rank alike:
 * reciprocal rank fusion of the vector and lexical lists, plus, for a question that asks for a date,
 * an amount, a name or a place, a third list: the fused candidates that hold an answer of that kind,
 * in fused order.
 * Ranks in the result are [vector, lexical, answer type].
 */
export function hybridFusion<K>(
  query: string,
  vector: readonly K[],
  lexical: readonly K[],
  textOf: (key: K) => string,
  fusion: FusionOptions = {},
): FusedItem<K>[] {
  const lists = [
    { items: vector, weight: fusion.vectorWeight ?? 1 },
    { items: lexical, weight: fusion.lexicalWeight ?? 1 },
  ];
  const fused = reciprocalRankFusion(lists, fusion.rrfK);
  const type = expectedAnswerType(query);
  const weight = fusion.answerTypeWeight ?? DEFAULT_ANSWER_TYPE_WEIGHT;
  if (!type || weight <= 0) return fused;
  const holdsAnswer = answerDetector(type, query);
  const typed = fused.filter((f) => holdsAnswer(textOf(f.key))).map((f) => f.key);
  return reciprocalRankFusion([...lists, { items: typed, weight }], fusion.rrfK);
}
