import { formatModelRef, GeneratorService, type ModelRecord } from '../generator';
import { PromptsService, type MessageValue } from '../prompts';
import { MAX_QUERY_CHARS, analyze } from '../retrieval';
import type { AnswerLanguage } from './language';
import type { ModelPicker } from './model-picker';

interface CondenseDeps {
  prompts: PromptsService;
  generator: GeneratorService;
  models: ModelPicker;
}

/** Without a model: the previous question and the follow-up together, so "它的面积呢？" still finds 漠河. */
export function concatenateWithPrevious(question: string, history: readonly MessageValue[]): string {
  const previous = [...history].reverse().find((m) => m.role === 'user');
  return previous ? `${previous.content} ${question}` : question;
}

/**
 * A follow-up rewritten as a standalone question for retrieval: by the model with the condense
 * template when there is one, else by concatenation. A rewrite that shares no term with the
 * conversation (a weak or random model) is not trusted; the concatenation is used instead.
 */
export async function condenseQuestion(
  deps: CondenseDeps,
  model: ModelRecord | null,
  question: string,
  history: readonly MessageValue[],
  language: AnswerLanguage,
  signal: AbortSignal,
): Promise<string> {
  const fallback = concatenateWithPrevious(question, history);
  if (!model) return fallback;
  const template = (await deps.prompts.forTask('condense', language)).name;
  const rendered = await deps.prompts.render(template, { question, history }, { budget: deps.models.budget(model, 128), countTokens: deps.models.counter(model) });
  const session = await deps.generator.chat(formatModelRef(model), rendered.messages, { maxTokens: 128, temperature: 0 }, signal);
  let text = '';
  try {
    for await (const piece of session.pieces) text += piece;
  } finally {
    await session.close();
  }
  const rewritten = text.split('\n').map((l) => l.trim()).find((l) => l) ?? '';
  if (!rewritten || Array.from(rewritten).length > MAX_QUERY_CHARS) return fallback;
  const known = new Set(analyze(`${fallback}`));
  return analyze(rewritten).some((t) => known.has(t)) ? rewritten : fallback;
}
