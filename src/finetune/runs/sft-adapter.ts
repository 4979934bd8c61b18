import type { ChatMessage, ChatTemplate, Tokenizer } from '../../moe';
import type { DatasetRecord } from '../datasets';
import { IGNORE_INDEX } from '../training';

/** A record as model input: token ids and shifted labels (prompt positions IGNORE_INDEX). */
export interface LabelledExample {
  record: number;
  inputIds: number[];
  labels: number[];
}

/**
 * The conversation of a record up to the question: system, history turns, then instruction (and
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

/**
 * Interim until src/finetune/training's buildSftExamples lands (same contract, simpler: loss on the
 * last answer only, history is context): prompt and answer are the text the chat template adds before
 * and after the assistant turn opens, tokenized separately, so the boundary is exact; too long → the
 * prompt's head is cut, then the answer's tail.
 */
export function buildExamples(records: readonly DatasetRecord[], tokenizer: Tokenizer, template: ChatTemplate, maxLength: number): { examples: LabelledExample[]; rejected: Array<{ record: number; reason: string }> } {
  const examples: LabelledExample[] = [];
  const rejected: Array<{ record: number; reason: string }> = [];
  records.forEach((record, index) => {
    try {
      const messages = recordMessages(record);
      const prompt = renderMessages(template, messages, true);
      const full = renderMessages(template, [...messages, { role: 'assistant', content: record.output }], false);
      if (!full.startsWith(prompt)) throw new Error('the chat template renders the answer turn in a way that rewrites the prompt; prompt and answer tokens cannot be told apart');
      let p = tokenizer.encode(prompt);
      let a = tokenizer.encode(full.slice(prompt.length));
      if (p.length + a.length > maxLength) {
        const keepA = Math.min(a.length, Math.max(maxLength - p.length, Math.ceil(maxLength / 2)));
        a = a.slice(0, keepA);
        p = p.slice(p.length - (maxLength - keepA));
      }
      const inputIds = [...p, ...a];
      const labels = inputIds.map((_, t) => (t + 1 >= p.length && t + 1 < inputIds.length ? inputIds[t + 1] : IGNORE_INDEX));
      if (labels.every((l) => l === IGNORE_INDEX)) rejected.push({ record: index, reason: 'no answer token is left to learn from after truncation' });
      else examples.push({ record: index, inputIds, labels });
    } catch (error) {
      rejected.push({ record: index, reason: (error as Error).message });
    }
  });
  return { examples, rejected };
}
