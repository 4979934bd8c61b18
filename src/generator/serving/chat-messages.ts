import { GenerationInputError } from '../generator.errors';
import type { ChatMessage } from '../providers/chat-provider';

const ROLES = ['system', 'user', 'assistant', 'developer'];

/**
 * OpenAI chat messages to plain {role, content}: content is a string or an array of text parts
 * (`[{type: 'text', text}]`); other part types (images, audio) are refused with the index named.
 */
export function toChatMessages(raw: unknown): ChatMessage[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new GenerationInputError('messages must be a non-empty array of {role, content}', 'messages');
  }
  return raw.map((m: unknown, i) => {
    const message = m as { role?: unknown; content?: unknown };
    if (!message || typeof message !== 'object') throw new GenerationInputError(`messages[${i}] must be an object {role, content}`, `messages[${i}]`);
    if (typeof message.role !== 'string' || !ROLES.includes(message.role)) {
      throw new GenerationInputError(`messages[${i}].role must be one of ${ROLES.join(', ')}`, `messages[${i}].role`);
    }
    // "developer" is OpenAI's newer name for the system turn; chat templates know "system".
    const role = message.role === 'developer' ? 'system' : message.role;
    return { role, content: contentText(message.content, i) };
  });
}

function contentText(content: unknown, i: number): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: { type?: unknown; text?: unknown }, j) => {
        if (part?.type === 'text' && typeof part.text === 'string') return part.text;
        throw new GenerationInputError(`messages[${i}].content[${j}]: only text parts are supported, got type ${String(part?.type)}`, `messages[${i}].content`);
      })
      .join('');
  }
  throw new GenerationInputError(`messages[${i}].content must be a string or an array of text parts`, `messages[${i}].content`);
}
