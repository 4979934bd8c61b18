/** Errors of the training engine, each with a message a user can act on. */
export class TrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The backward pass met an op on the gradient path that has no gradient rule. */
export class NoGradientRuleError extends TrainingError {
  constructor(
    readonly opType: string,
    readonly nodeName: string,
  ) {
    super(
      `no gradient rule for ONNX op '${opType}' (node ${nodeName}) on the path from the loss to a trained parameter; ` +
        `rewrite that part of the forward graph with supported ops (see docs/finetune-training.md) or add a rule in gradient-rules.ts`,
    );
  }
}

/** A rule exists for the op but not for the way this node uses it (an attribute value, a trained exponent). */
export class UnsupportedGradientError extends TrainingError {}

/** Training options out of range (rank 0, negative learning rate, ...). */
export class TrainingOptionsError extends TrainingError {}
