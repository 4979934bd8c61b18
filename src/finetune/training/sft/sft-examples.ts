import type { DatasetRecord } from '../../datasets/dataset-record';
import type { ChatMessage, ChatTemplate } from '../../../moe/tokenizer/chat-template';
import type { Tokenizer } from '../../../moe/tokenizer/tokenizer';
import { TrainingOptionsError } from '../training.errors';
import { IGNORE_INDEX } from '../graph/training-losses';

export interface SftOptions {
  /** Longest example in tokens; longer ones are truncated (see truncate()). */
  maxLength: number;
  /**
   * 'all' (default, LLaMA-Factory's mask_history: false): every assistant turn of the history is a
   * target too. 'last': only the record's output is; earlier answers are context.
   */
  lossOn?: 'all' | 'last';
}

/** One supervised row: labels already shifted (labels[t] is the target of position t). */
export interface SftExample {
  /** Index of the record it came from. */
  record: number;
  inputIds: number[];
  labels: number[];
  /** Whether history turns were dropped or tokens cut to fit maxLength. */
  truncated: boolean;
}

export interface SftRejection {
  record: number;
  reason: string;
}

export interface SftExamples {
  examples: SftExample[];
  rejected: SftRejection[];
}

/** A rendered conversation as token pieces: prompt text (never a target) and assistant text (a target when asked). */
interface Piece {
  ids: number[];
  target: boolean;
}

/**
 * Turns curated records into token ids and labels with the model's own chat template: system +
 * history + instruction (and input, on a new line) become user/assistant turns, the output the last
 * assistant turn. Prompt tokens are IGNORE_INDEX. A record that cannot be rendered, or that would keep
 * no labelled token, is reported in `rejected` and left out; the others are returned in order.
 */
export function buildSftExamples(records: readonly DatasetRecord[], tokenizer: Tokenizer, template: ChatTemplate, options: SftOptions): SftExamples {
  if (!Number.isInteger(options.maxLength) || options.maxLength < 2) {
    throw new TrainingOptionsError(`maxLength must be an integer of at least 2 tokens, got ${options.maxLength}`);
  }
  const lossOn = options.lossOn ?? 'all';
  const examples: SftExample[] = [];
  const rejected: SftRejection[] = [];
  records.forEach((record, index) => {
    try {
      const example = encodeRecord(record, tokenizer, template, options.maxLength, lossOn);
      if (example.labels.every((l) => l === IGNORE_INDEX)) rejected.push({ record: index, reason: 'no answer token is left to learn from after truncation' });
      else examples.push({ record: index, ...example });
    } catch (error) {
      if (error instanceof TrainingOptionsError) throw error;
      rejected.push({ record: index, reason: (error as Error).message });
    }
  });
  return { examples, rejected };
}

function encodeRecord(record: DatasetRecord, tokenizer: Tokenizer, template: ChatTemplate, maxLength: number, lossOn: 'all' | 'last') {
  let history = record.history ?? [];
  let truncated = false;
  for (;;) {
    const pieces = renderPieces(record, history, tokenizer, template, lossOn);
    const total = pieces.reduce((n, p) => n + p.ids.length, 0);
    if (total <= maxLength) return { ...shift(pieces), truncated };
    truncated = true;
    // Oldest turns go first, whole: a conversation cut mid-turn teaches the model broken turns.
    if (history.length > 0) {
      history = history.slice(1);
      continue;
    }
    return { ...shift(cutSingleTurn(pieces, maxLength)), truncated };
  }
}

/**
 * One question and one answer that still do not fit: the answer keeps at least half the budget (its
 * end is cut), the prompt keeps its tail, which holds the end of the question and the assistant header
 * the answer must follow. The prompt's head (BOS, system text) is what is lost.
 */
function cutSingleTurn(pieces: Piece[], maxLength: number): Piece[] {
  const prompt = pieces.filter((p) => !p.target).flatMap((p) => p.ids);
  const answer = pieces.filter((p) => p.target).flatMap((p) => p.ids);
  const keepAnswer = Math.min(answer.length, Math.max(maxLength - prompt.length, Math.ceil(maxLength / 2)));
  const keepPrompt = Math.min(prompt.length, maxLength - keepAnswer);
  return [
    { ids: prompt.slice(prompt.length - keepPrompt), target: false },
    { ids: answer.slice(0, keepAnswer), target: true },
  ];
}

/** ids and next-token labels: position t learns token t+1 when that token is an assistant target. */
function shift(pieces: Piece[]): { inputIds: number[]; labels: number[] } {
  const inputIds: number[] = [];
  const target: boolean[] = [];
  for (const p of pieces) for (const id of p.ids) inputIds.push(id), target.push(p.target);
  const labels = inputIds.map((_, t) => (t + 1 < inputIds.length && target[t + 1] ? inputIds[t + 1] : IGNORE_INDEX));
  return { inputIds, labels };
}

/**
 * Renders growing prefixes of the conversation and takes each new part of the text as one piece, so a
 * piece is exactly what the template adds for that turn (assistant pieces include the end-of-turn token
 * the model must learn to emit). Each piece is tokenized on its own, as LLaMA-Factory does.
 */
function renderPieces(record: DatasetRecord, history: readonly [string, string][], tokenizer: Tokenizer, template: ChatTemplate, lossOn: 'all' | 'last'): Piece[] {
  const user = record.input ? `${record.instruction}\n${record.input}` : record.instruction;
  const turns: Array<[string, string]> = [...history, [user, record.output]];
  const render = messagesRenderer(template, record.system);
  const pieces: Piece[] = [];
  let done = '';
  const messages: ChatMessage[] = [];
  turns.forEach(([question, answer], i) => {
    messages.push({ role: 'user', content: question });
    const prompt = render(messages, true);
    messages.push({ role: 'assistant', content: answer });
    const full = render(messages, false);
    if (!prompt.startsWith(done) || !full.startsWith(prompt)) {
      throw new Error('the chat template rewrites earlier turns when a turn is added, so prompt and answer tokens cannot be told apart');
    }
    pieces.push({ ids: tokenizer.encode(prompt.slice(done.length)), target: false });
    pieces.push({ ids: tokenizer.encode(full.slice(prompt.length)), target: lossOn === 'all' || i === turns.length - 1 });
    done = full;
  });
  return pieces;
}

/**
 * Renders with a system message when the template accepts one; templates that refuse the system role
 * (Mistral's raises) get the system text at the head of the first user turn, as Mistral's own
 * reference template does.
 */
function messagesRenderer(template: ChatTemplate, system: string | undefined): (messages: ChatMessage[], generation: boolean) => string {
  if (!system) return (messages, generation) => template.render(messages, { addGenerationPrompt: generation });
  let folded = false;
  return (messages, generation) => {
    if (!folded) {
      try {
        return template.render([{ role: 'system', content: system }, ...messages], { addGenerationPrompt: generation });
      } catch {
        folded = true;
      }
    }
    const [first, ...rest] = messages;
    return template.render([{ role: first.role, content: `${system}\n\n${first.content}` }, ...rest], { addGenerationPrompt: generation });
  };
}
