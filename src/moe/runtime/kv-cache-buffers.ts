import type { MoeConfig } from '../model/moe-config';
import type { SessionTensor } from './inference-session';

/**
 * Capacity grows in steps of this many rows. onnxruntime-node copies every output back into a new
 * JavaScript buffer, the KV cache included, so each step pays for the whole capacity once: a small
 * step keeps that near the filled length, and a growth (copying the filled rows) comes once per
 * step's worth of tokens.
 */
const CAPACITY_STEP = 256;

/**
 * The shared KV cache of one sequence: per layer a key and a value buffer [1, KV, capacity, D] that
 * the graph is handed as both past input and present output, so GroupQueryAttention appends the
 * new rows in place instead of building past ++ new (a memset and a copy of the whole cache a step).
 */
export class KvCacheBuffers {
  private capacity = 0;
  private tensors: SessionTensor[] = [];

  constructor(
    private readonly config: MoeConfig,
    private readonly maxRows: number,
  ) {}

  /** Makes room for `needed` rows, keeping the first `filled`. */
  reserve(filled: number, needed: number): void {
    if (needed <= this.capacity) return;
    const capacity = Math.min(this.maxRows, Math.ceil(needed / CAPACITY_STEP) * CAPACITY_STEP);
    const { numLayers, numKvHeads, headDim } = this.config;
    const next: SessionTensor[] = [];
    for (let i = 0; i < 2 * numLayers; i++) {
      const data = new Float32Array(numKvHeads * capacity * headDim);
      const old = this.tensors[i]?.data as Float32Array | undefined;
      if (old && filled > 0) {
        for (let h = 0; h < numKvHeads; h++) {
          data.set(old.subarray(h * this.capacity * headDim, (h * this.capacity + filled) * headDim), h * capacity * headDim);
        }
      }
      next.push({ type: 'float32', dims: [1, numKvHeads, capacity, headDim], data });
    }
    this.tensors = next;
    this.capacity = capacity;
  }

  tensor(layer: number, kind: 'key' | 'value'): SessionTensor {
    return this.tensors[2 * layer + (kind === 'key' ? 0 : 1)];
  }

  /**
   * The run's present output becomes the buffer: the engine's copy of the buffer it wrote in place
   * (onnxruntime-node returns outputs in new memory), or a new tensor from an engine that could not.
   */
  adopt(layer: number, kind: 'key' | 'value', output: SessionTensor): void {
    this.tensors[2 * layer + (kind === 'key' ? 0 : 1)] = output;
  }

  /** Rows each buffer holds now (0 before the first run). */
  get capacityRows(): number {
    return this.capacity;
  }

  release(): void {
    this.tensors = [];
    this.capacity = 0;
  }
}
