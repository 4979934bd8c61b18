import type { MoeConfig } from './moe-config';

/**
 * What the generation loop needs of a model, whichever engine runs it: the TypeScript reference
 * pass (tests, `zhiku model check`) or an ONNX Runtime session (serving).
 * A model keeps one sequence's KV cache; `forward` appends tokens to it.
 */
export interface CausalLm {
  readonly config: MoeConfig;
  /** Tokens already in the cache (the position the next token gets). */
  readonly cachedLength: number;
  /**
   * Runs `ids` after the cached tokens and caches them. Returns logits, row-major:
   * [ids.length, vocab] with `allLogits`, otherwise only the last position's [vocab].
   */
  forward(ids: readonly number[], options?: { allLogits?: boolean }): Promise<Float32Array>;
  /** Empties the cache; the next forward starts a new sequence at position 0. */
  reset(): void;
  dispose(): Promise<void>;
}
