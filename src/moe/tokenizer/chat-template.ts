import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Jinja from '@huggingface/jinja' with { 'resolution-mode': 'import' };
import { TokenizerError } from '../moe.errors';

export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

export interface RenderOptions {
  /** End with the assistant turn's opening so the model answers (default true). */
  addGenerationPrompt?: boolean;
  /** Further template variables (tools, enable_thinking, ...). */
  variables?: Record<string, unknown>;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The package is "type": "module", so TypeScript (node16) takes its typings as ESM and refuses a
// static import here; but it ships a CommonJS build under exports.require, so a synchronous require
// works at run time and the chat template need not be async.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Template } = require('@huggingface/jinja') as typeof Jinja;

/** A special token in tokenizer_config.json is a string or a serialised AddedToken `{ content }`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).content === 'string') return (value as Json).content;
  return undefined;
}

/**
 * The chat template of tokenizer_config.json (or chat_template.jinja beside it), rendered with
 * Hugging Face's own Jinja implementation so templates behave as in transformers.
 */
export class ChatTemplate {
  private readonly template: Jinja.Template;

  constructor(
    readonly source: string,
    private readonly specialTokens: Record<string, string> = {},
  ) {
    try {
      this.template = new Template(source);
    } catch (error) {
      throw new TokenizerError(`the chat template does not parse: ${(error as Error).message}`);
    }
  }

  /** Reads the template of a model folder; null when the folder has none. */
  static fromDir(dir: string): ChatTemplate | null {
    const configPath = path.join(dir, 'tokenizer_config.json');
    let config: Json = {};
    if (fs.existsSync(configPath)) {
      try {
        config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
      } catch (error) {
        throw new TokenizerError(`${configPath} is not valid JSON: ${(error as Error).message}`);
      }
    }
    let source: unknown = config.chat_template;
    if (Array.isArray(source)) source = source.find((t: Json) => t.name === 'default')?.template ?? source[0]?.template;
    const jinjaPath = path.join(dir, 'chat_template.jinja');
    if (typeof source !== 'string' && fs.existsSync(jinjaPath)) source = fs.readFileSync(jinjaPath, 'utf8');
    if (typeof source !== 'string') return null;
    const specials: Record<string, string> = {};
    for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
      const text = tokenText(config[key]);
      if (text !== undefined) specials[key] = text;
    }
    return new ChatTemplate(source, specials);
  }

  render(messages: readonly ChatMessage[], options: RenderOptions = {}): string {
    try {
      return this.template.render({
        ...this.specialTokens,
        ...options.variables,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: options.addGenerationPrompt ?? true,
      });
    } catch (error) {
      throw new TokenizerError(`the chat template failed to render: ${(error as Error).message}`);
    }
  }
}
