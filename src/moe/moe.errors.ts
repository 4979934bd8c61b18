/** Errors of the MoE engine. Each carries a message a user can act on. */
export class MoeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** config.json names an architecture or setting we do not support. */
export class UnsupportedArchitectureError extends MoeError {}

/** The checkpoint is incomplete or inconsistent: a missing tensor, a wrong shape, a truncated file. */
export class CheckpointError extends MoeError {}

/** tokenizer.json or tokenizer_config.json is malformed or uses a feature we do not implement. */
export class TokenizerError extends MoeError {}

/** Generation was asked for something it cannot do (no tokenizer for text, bad sampling options). */
export class GenerationError extends MoeError {}
