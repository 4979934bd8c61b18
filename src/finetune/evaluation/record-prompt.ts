import type { ChatMessage, ChatTemplate, Tokenizer } from '../../moe';
import type { DatasetRecord } from '../datasets';

/**
 * The conversation of a record up to the question, as training renders it (src/finetune/training's
 * buildSftExamples), for generating an answer to it: system, history turns, then instruction (and
 * input on a new line) as the user turn. Templates that refuse a system turn (Mistral's) get the system
 * text at the head of the first user turn.
 */
export function recordMessages(record: DatasetRecord): ChatMessage[] {
  const user = record.input ? `${record.instruction}\n${record.input}` : record.instruction;
  const turns: ChatMessage[] = [];
  for (const [q, a] of record.history ?? []) turns.push({ role: 'user', content: q }, { role: 'assistant', content: a });
  turns.push({ role: 'user', content: user });
  return record.system ? [{ role: 'system', content: record.system }, ...turns] : turns;
}

export function renderMessages(template: ChatTemplate, messages: ChatMessage[], addGenerationPrompt: boolean): string {
  try {
    return template.render(messages, { addGenerationPrompt });
  } catch (error) {
    if (messages[0]?.role !== 'system') throw error;
    const [system, first, ...rest] = messages;
    return template.render([{ role: first.role, content: `${system.content}\n\n${first.content}` }, ...rest], { addGenerationPrompt });
  }
}

/** Prompt token ids of a record's question, ready for generation. */
export function promptIds(record: DatasetRecord, tokenizer: Tokenizer, template: ChatTemplate): number[] {
  return tokenizer.encode(renderMessages(template, recordMessages(record), true));
}
