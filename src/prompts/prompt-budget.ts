import type { CompiledTemplate } from './prompt.renderer';
import { PromptTooLongError } from './prompts.errors';
import type { ChatMessage, ChunkValue, RenderedPrompt } from './prompt-template.types';
import { resolveVariables } from './variables.validator';

/** Counts the tokens of a text with the model's tokenizer (or an estimate). */
export type TokenCounter = (text: string) => number | Promise<number>;

export interface BudgetOptions {
  /** Most tokens the prompt's messages may take (the model's context minus the answer's maxTokens). */
  budget: number;
  countTokens: TokenCounter;
}

/**
 * Renders within a token budget. When the full prompt is too long, context chunks are dropped
 * lowest rank first (across every chunks variable) until it fits; the question, text and every
 * other variable are never cut. The kept chunks keep their numbers, so citations still resolve.
 * Fewer chunks never make a longer prompt, so the number to drop is found by binary search
 * (a handful of renders and counts even for 100 chunks). Throws PromptTooLongError when even no
 * context at all is over the budget.
 */
export async function renderWithinBudget(template: CompiledTemplate, given: Record<string, unknown>, options: BudgetOptions): Promise<RenderedPrompt> {
  const values = resolveVariables(template.definition.variables, given);
  const names = template.chunkVariables();
  // Removal order: the worst-ranked chunk first; ties drop the later one first.
  const order = names
    .flatMap((name) => ((values[name] as ChunkValue[]) ?? []).map((chunk, position) => ({ name, chunk, position })))
    .sort((a, b) => b.chunk.rank - a.chunk.rank || b.position - a.position);

  const attempt = async (drop: number) => {
    const dropped = new Set(order.slice(0, drop).map((o) => o.chunk));
    const cut: Record<string, unknown> = { ...values };
    for (const name of names) cut[name] = ((values[name] as ChunkValue[]) ?? []).filter((c) => !dropped.has(c));
    const text = template.renderResolved(cut);
    const tokens = await countMessages(text.messages, options.countTokens);
    return { cut, text, tokens, dropped: order.slice(0, drop) };
  };
  const trimmedOf = (dropped: typeof order) => {
    const out: Record<string, number[]> = {};
    for (const d of dropped) (out[d.name] ??= []).push(d.chunk.index);
    return out;
  };

  const full = await attempt(0);
  if (full.tokens <= options.budget) return template.result(values, full.text, {}, full.tokens);
  const none = await attempt(order.length);
  if (none.tokens > options.budget) throw new PromptTooLongError(none.tokens, options.budget);
  let lo = 1; // smallest drop count that may fit
  let hi = order.length; // known to fit
  let best = none;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const tried = await attempt(mid);
    if (tried.tokens <= options.budget) {
      hi = mid;
      best = tried;
    } else lo = mid + 1;
  }
  return template.result(best.cut, best.text, trimmedOf(best.dropped), best.tokens);
}

async function countMessages(messages: ChatMessage[], count: TokenCounter): Promise<number> {
  let total = 0;
  for (const m of messages) total += await count(m.content);
  return total;
}

/**
 * A tokenizer-free estimate for previews: one token per CJK character, one per four letters of a word,
 * one per other symbol. Within ~20% of BPE tokenizers on mixed text; the assistant passes the
 * model's real tokenizer instead.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const m of text.matchAll(/(\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul})|([\p{L}\p{N}]+)|(\S)/gu)) {
    if (m[1]) tokens += 1;
    else if (m[2]) tokens += Math.max(1, Math.ceil(m[2].length / 4));
    else tokens += 1;
  }
  return tokens;
}
