import { InvalidInputError } from '../common';

/** A template file or edit that cannot be used: every problem found, not just the first. */
export class TemplateDefinitionError extends InvalidInputError {
  override name = 'TemplateDefinitionError';
  constructor(readonly problems: string[], where = 'template') {
    super(`invalid ${where}: ${problems.join('; ')}`, { problems });
  }
}

export interface VariableProblem {
  variable: string;
  problem: string;
}

/** Variables given to a render that are missing, unknown or of the wrong type; each one is named. */
export class TemplateVariablesError extends InvalidInputError {
  override name = 'TemplateVariablesError';
  constructor(readonly problems: VariableProblem[]) {
    super(`invalid template variables: ${problems.map((p) => `${p.variable} (${p.problem})`).join('; ')}`, { variables: problems });
  }
}

/** Even with every context chunk trimmed, the prompt does not fit the budget: the question itself is too long. */
export class PromptTooLongError extends InvalidInputError {
  override name = 'PromptTooLongError';
  constructor(readonly tokens: number, readonly budget: number) {
    super(
      `the prompt needs ${tokens} tokens without any context, over the budget of ${budget}; shorten the question or text`,
      { tokens, budget },
    );
  }
}
