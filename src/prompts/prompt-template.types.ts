/** The kinds of value a template variable holds. */
export const VARIABLE_TYPES = ['string', 'number', 'boolean', 'enum', 'chunks', 'messages'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

export const TEMPLATE_LANGUAGES = ['zh', 'en'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export interface VariableSpec {
  type: VariableType;
  /** A required variable has no default; the caller must give it. */
  required: boolean;
  default?: unknown;
  description?: string;
  /** enum only: the allowed values. */
  values?: string[];
  /** string only: longest accepted value, in characters. */
  maxLength?: number;
  /** number only. */
  min?: number;
  max?: number;
}

export interface GenerationParameters {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
}

/** A parsed template file: front matter plus the Jinja body. */
export interface TemplateDefinition {
  name: string;
  description: string;
  task: string;
  language: TemplateLanguage;
  variables: Record<string, VariableSpec>;
  parameters: GenerationParameters;
  body: string;
}

/**
 * One retrieved passage for a `chunks` variable, best first. `index` is the number the model cites
 * ([1], [2], ...): it defaults to the position in the list and never changes when lower-ranked
 * chunks are trimmed, so citations keep resolving to the same chunk.
 */
export interface ChunkValue {
  text: string;
  index: number;
  /** 1 = most relevant; trimming drops the largest rank first. Defaults to the position. */
  rank: number;
  source?: string;
  page?: number;
  sheet?: string;
  cells?: string;
}

export interface MessageValue {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

export type ChatMessage = MessageValue;

/** What a render produces: chat messages ready for the generator, and the parameters to use. */
export interface RenderedPrompt {
  name: string;
  version?: number;
  /** The system section, '' when the template has none. */
  system: string;
  /** The user section (the whole body when the template has no sections). */
  user: string;
  messages: ChatMessage[];
  parameters: GenerationParameters;
  /** For each chunks variable, the indexes of the chunks that made it into the prompt. */
  chunksIncluded: Record<string, number[]>;
  /** For each chunks variable, the indexes trimmed to fit the token budget (lowest rank first). */
  chunksTrimmed: Record<string, number[]>;
  /** Tokens of the prompt by the counter used, when a budget was given. */
  tokens?: number;
}
