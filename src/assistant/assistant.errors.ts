import { AppError } from '../common';

/** A writing task (or a generative-only request) with no generative model registered. */
export class NoModelError extends AppError {
  override name = 'NoModelError';
  constructor(what: string) {
    super(
      `${what} needs a generative model and none is registered. Add one with \`zhiku model import CHECKPOINT --name NAME\` ` +
        '(or POST /api/models/import {checkpoint, name}), or register an external OpenAI-compatible endpoint with POST /api/models {name, provider: "openai-compatible", baseUrl}.',
      503,
    );
  }
}
