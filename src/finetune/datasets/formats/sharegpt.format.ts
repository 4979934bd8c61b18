import type { DatasetRecord, HistoryPair } from '../dataset-record';

interface Turn {
  role: 'system' | 'user' | 'assistant';
  text: string;
}

const ROLE: Record<string, Turn['role']> = { human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant', system: 'system' };

/**
 * A sharegpt row: `conversations: [{from: human|gpt|system, value}]` or the OpenAI-style
 * `messages: [{role, content}]`. The last user turn becomes the instruction, the assistant turn after
 * it the output, the earlier pairs the history. Turns must alternate user, assistant.
 */
export function fromShareGpt(row: Record<string, unknown>): Partial<DatasetRecord> | string {
  const list = row.conversations ?? row.messages;
  if (!Array.isArray(list)) return 'not a sharegpt row: no "conversations" or "messages" list';
  const turns: Turn[] = [];
  for (const [i, t] of list.entries()) {
    if (typeof t !== 'object' || t === null) return `turn ${i + 1} is not an object`;
    const o = t as Record<string, unknown>;
    const role = ROLE[String(o.from ?? o.role ?? '')];
    const text = o.value ?? o.content;
    if (!role) return `turn ${i + 1} has an unknown role "${String(o.from ?? o.role ?? '')}" (use human/gpt/system or user/assistant/system)`;
    if (typeof text !== 'string') return `turn ${i + 1} has no text`;
    turns.push({ role, text });
  }
  let system = typeof row.system === 'string' ? row.system : undefined;
  if (turns[0]?.role === 'system') system = turns.shift()!.text;
  if (!turns.length) return 'missing instruction (the conversation has no turns)';
  if (turns.length % 2 === 1) {
    if (turns[turns.length - 1].role === 'user') return 'missing output (the conversation ends with the user)';
    return 'turns must alternate user, assistant';
  }
  for (let i = 0; i < turns.length; i++) {
    if (turns[i].role !== (i % 2 === 0 ? 'user' : 'assistant')) return `turn ${i + 1} should be ${i % 2 === 0 ? 'user' : 'assistant'}, got ${turns[i].role}`;
  }
  const history: HistoryPair[] = [];
  for (let i = 0; i + 2 < turns.length; i += 2) history.push([turns[i].text, turns[i + 1].text]);
  return {
    system,
    instruction: turns[turns.length - 2].text,
    output: turns[turns.length - 1].text,
    history,
    tags: row.tags as string[] | undefined,
    sources: row.sources as DatasetRecord['sources'],
  };
}

/** The user turn folds the input under the instruction, as LLaMA-Factory does for alpaca. */
export function toShareGpt(r: DatasetRecord): Record<string, unknown> {
  const conversations: Array<{ from: string; value: string }> = [];
  for (const [u, a] of r.history ?? []) conversations.push({ from: 'human', value: u }, { from: 'gpt', value: a });
  conversations.push({ from: 'human', value: r.input ? `${r.instruction}\n${r.input}` : r.instruction }, { from: 'gpt', value: r.output });
  const row: Record<string, unknown> = { conversations };
  if (r.system) row.system = r.system;
  return row;
}
