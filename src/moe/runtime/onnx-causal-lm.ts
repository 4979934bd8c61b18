import type { CausalLm } from '../model/causal-lm';
import type { MoeConfig } from '../model/moe-config';
import { MoeError } from '../moe.errors';
import { GRAPH_IO } from '../onnx/decoder/decoder.builder';
import { int64Tensor, type InferenceSession, type SessionTensor } from './inference-session';

/**
 * A CausalLm over a decoder graph built by src/moe/onnx. The KV cache is the previous run's
 * present.* outputs, fed back as past_key_values.* (the tensors are passed through without copying);
 * a prompt is prefilled in one run, then each decode step runs one token.
 */
export class OnnxCausalLm implements CausalLm {
  private past: SessionTensor[] = [];
  private length = 0;
  private busy = false;

  /**
   * `maxPositions`: rows of the graph's rotary tables (the manifest's graph.maxPositions); a
   * sequence may not grow past it.
   */
  constructor(
    readonly config: MoeConfig,
    private readonly session: InferenceSession,
    private readonly maxPositions = config.maxPositionEmbeddings,
  ) {
    this.reset();
  }

  get cachedLength(): number {
    return this.length;
  }

  async forward(ids: readonly number[], options: { allLogits?: boolean } = {}): Promise<Float32Array> {
    if (ids.length === 0) throw new MoeError('forward needs at least one token id');
    const vocab = this.config.vocabSize;
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new MoeError(`token id ${id} is outside the vocabulary [0, ${vocab})`);
    }
    if (this.length + ids.length > this.maxPositions) {
      throw new MoeError(
        `${this.length + ids.length} tokens exceed this model's context of ${this.maxPositions}; ` +
          'reset the sequence, or import the model again with a larger --max-positions',
      );
    }
    if (this.busy) throw new MoeError('forward called again before the previous call finished; one sequence runs at a time');
    this.busy = true;
    try {
      const positions = options.allLogits ? ids.map((_, i) => i) : [ids.length - 1];
      const feeds: Record<string, SessionTensor> = {
        [GRAPH_IO.inputIds]: int64Tensor(ids, [1, ids.length]),
        [GRAPH_IO.logitPositions]: int64Tensor(positions),
      };
      for (let l = 0; l < this.config.numLayers; l++) {
        feeds[GRAPH_IO.pastKey(l)] = this.past[2 * l];
        feeds[GRAPH_IO.pastValue(l)] = this.past[2 * l + 1];
      }
      const out = await this.session.run(feeds);
      const next: SessionTensor[] = [];
      for (let l = 0; l < this.config.numLayers; l++) {
        next.push(out[GRAPH_IO.presentKey(l)], out[GRAPH_IO.presentValue(l)]);
      }
      this.past = next;
      this.length += ids.length;
      return out[GRAPH_IO.logits].data as Float32Array;
    } finally {
      this.busy = false;
    }
  }

  reset(): void {
    const { numLayers, numKvHeads, headDim } = this.config;
    const empty: SessionTensor = { type: 'float32', dims: [1, numKvHeads, 0, headDim], data: new Float32Array(0) };
    this.past = Array.from({ length: 2 * numLayers }, () => empty);
    this.length = 0;
  }

  async dispose(): Promise<void> {
    this.past = [];
    await this.session.dispose();
  }
}
