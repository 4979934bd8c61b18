import type { CausalLm } from '../model/causal-lm';
import type { MoeConfig } from '../model/moe-config';
import { MoeError } from '../moe.errors';
import { GRAPH_IO } from '../onnx/decoder/decoder.builder';
import { int64Tensor, type InferenceSession, type SessionTensor } from './inference-session';
import { KvCacheBuffers } from './kv-cache-buffers';

/**
 * A CausalLm over a decoder graph built by src/moe/onnx; a prompt is prefilled in one run, then each
 * decode step runs one token. The KV cache is kept one of two ways, as the graph says:
 *  - shared (graphs with a `past_sequence_length` input): one buffer per layer and K/V, passed as
 *    both past input and present output, which GroupQueryAttention writes in place — a step moves
 *    only its new rows;
 *  - concatenated (older graphs, the standard-attention path): each run's present.* outputs are fed
 *    back as the next run's past_key_values.* (passed through without copying).
 */
export class OnnxCausalLm implements CausalLm {
  private past: SessionTensor[] = [];
  private readonly shared: KvCacheBuffers | null;
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
    this.shared = session.inputNames.includes(GRAPH_IO.pastLength) ? new KvCacheBuffers(config, maxPositions) : null;
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
      const logits = this.shared ? await this.runShared(feeds, ids.length) : await this.runConcatenated(feeds);
      this.length += ids.length;
      return logits;
    } finally {
      this.busy = false;
    }
  }

  private async runShared(feeds: Record<string, SessionTensor>, count: number): Promise<Float32Array> {
    const cache = this.shared!;
    cache.reserve(this.length, this.length + count);
    feeds[GRAPH_IO.pastLength] = int64Tensor([this.length], []);
    const into: Record<string, SessionTensor> = {};
    for (let l = 0; l < this.config.numLayers; l++) {
      feeds[GRAPH_IO.pastKey(l)] = into[GRAPH_IO.presentKey(l)] = cache.tensor(l, 'key');
      feeds[GRAPH_IO.pastValue(l)] = into[GRAPH_IO.presentValue(l)] = cache.tensor(l, 'value');
    }
    const out = await this.session.run(feeds, undefined, into);
    for (let l = 0; l < this.config.numLayers; l++) {
      cache.adopt(l, 'key', out[GRAPH_IO.presentKey(l)]);
      cache.adopt(l, 'value', out[GRAPH_IO.presentValue(l)]);
    }
    return out[GRAPH_IO.logits].data as Float32Array;
  }

  private async runConcatenated(feeds: Record<string, SessionTensor>): Promise<Float32Array> {
    for (let l = 0; l < this.config.numLayers; l++) {
      feeds[GRAPH_IO.pastKey(l)] = this.past[2 * l];
      feeds[GRAPH_IO.pastValue(l)] = this.past[2 * l + 1];
    }
    const out = await this.session.run(feeds);
    const next: SessionTensor[] = [];
    for (let l = 0; l < this.config.numLayers; l++) next.push(out[GRAPH_IO.presentKey(l)], out[GRAPH_IO.presentValue(l)]);
    this.past = next;
    return out[GRAPH_IO.logits].data as Float32Array;
  }

  reset(): void {
    const { numLayers, numKvHeads, headDim } = this.config;
    const empty: SessionTensor = { type: 'float32', dims: [1, numKvHeads, 0, headDim], data: new Float32Array(0) };
    this.past = Array.from({ length: 2 * numLayers }, () => empty);
    // The shared buffers keep their capacity: stale rows past the length are never read.
    this.length = 0;
  }

  async dispose(): Promise<void> {
    this.past = [];
    this.shared?.release();
    await this.session.dispose();
  }
}
