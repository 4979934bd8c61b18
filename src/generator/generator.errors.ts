import { AppError, InvalidInputError, NotFoundError } from '../common';

/** No registered model answers to this name (or name@version), or it is not ready. */
export class ModelNotFoundError extends NotFoundError {
  override name = 'ModelNotFoundError';
  constructor(readonly ref: string, reason?: string) {
    super(reason ?? `model "${ref}" is not registered; list the models with GET /v1/models (or \`zhiku model list\`)`);
  }
}

/** The request cannot be generated as asked: empty messages, bad limits, a prompt over the context. */
export class GenerationInputError extends InvalidInputError {
  override name = 'GenerationInputError';
  constructor(message: string, readonly param: string | null = null) {
    super(message);
  }
}

/** The model's queue is full: the client should retry later. */
export class QueueFullError extends AppError {
  override name = 'QueueFullError';
  constructor(model: string, running: number, waiting: number) {
    super(`model "${model}" is busy: ${running} generation(s) running and ${waiting} waiting (the queue limit); retry in a few seconds`, 429);
  }
}

/** The external OpenAI-compatible endpoint failed or could not be reached. */
export class UpstreamError extends AppError {
  override name = 'UpstreamError';
  constructor(message: string, status = 502) {
    super(message, status);
  }
}

/** A model folder path that is not inside the models directory, or not an imported model. */
export class ModelPathError extends InvalidInputError {
  override name = 'ModelPathError';
}

/** The caller went away: the generation was cancelled (nobody is left to answer). */
export class GenerationCancelledError extends AppError {
  override name = 'GenerationCancelledError';
  constructor() {
    super('the client closed the connection; the generation was cancelled', 499);
  }
}

/** A registered model that cannot be loaded now (its folder went missing, its session failed to open). */
export class ModelUnavailableError extends AppError {
  override name = 'ModelUnavailableError';
  constructor(ref: string, reason: string) {
    super(`model "${ref}" cannot be loaded: ${reason}`, 503);
  }
}

/** No model is ready and the request named none: say how to add one. */
export class NoModelError extends AppError {
  override name = 'NoModelError';
  constructor() {
    super('no generative model is registered yet; an admin can import one with POST /api/models/import (or `zhiku model import` and `zhiku model register`)', 503);
  }
}
