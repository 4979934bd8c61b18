export type FinishReason = 'eos' | 'max_tokens' | 'stop_string' | 'cancelled';

/** What a stopping criterion sees after each new token. */
export interface GenerationState {
  /** Generated token ids so far (the prompt excluded). */
  readonly generated: readonly number[];
  /** Decoded text of the generated tokens, '' when there is no tokenizer. */
  readonly text: string;
}

export interface StoppingCriterion {
  /** A reason to stop now, or null to go on. */
  check(state: GenerationState): FinishReason | null;
}

export class MaxTokensCriterion implements StoppingCriterion {
  constructor(private readonly maxNewTokens: number) {}

  check(state: GenerationState): FinishReason | null {
    return state.generated.length >= this.maxNewTokens ? 'max_tokens' : null;
  }
}

/** Stops once the model emits an end-of-sequence id; that id stays in the output, as transformers keeps it. */
export class EosCriterion implements StoppingCriterion {
  private readonly eos: ReadonlySet<number>;

  constructor(eosTokenIds: readonly number[]) {
    this.eos = new Set(eosTokenIds);
  }

  check(state: GenerationState): FinishReason | null {
    const last = state.generated[state.generated.length - 1];
    return last !== undefined && this.eos.has(last) ? 'eos' : null;
  }
}

/** Stops once the decoded text contains one of the stop strings. */
export class StopStringCriterion implements StoppingCriterion {
  constructor(readonly stopStrings: readonly string[]) {}

  check(state: GenerationState): FinishReason | null {
    return this.firstMatch(state.text) !== null ? 'stop_string' : null;
  }

  /** Index where the earliest stop string starts, or null. */
  firstMatch(text: string): number | null {
    let best: number | null = null;
    for (const stop of this.stopStrings) {
      const at = text.indexOf(stop);
      if (at >= 0 && (best === null || at < best)) best = at;
    }
    return best;
  }

  /** Length of the longest end of `text` that could still grow into a stop string; streaming holds it back. */
  pendingSuffix(text: string): number {
    let longest = 0;
    for (const stop of this.stopStrings) {
      for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
