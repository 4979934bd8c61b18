/**
 * The small engine interface the MoE runtime depends on. The onnxruntime-node implementation lives in
 * onnxruntime.session.ts (the only file that imports onnxruntime-node); another engine can stand in.
 */
export type TensorElementType = 'float32' | 'float16' | 'int64' | 'int32' | 'uint8' | 'bool';

export type TensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

export interface SessionTensor {
  readonly type: TensorElementType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export type ExecutionProvider = 'cpu' | 'cuda';

export interface SessionOptions {
  /** Where the graph runs; 'cuda' needs an onnxruntime-node build with the CUDA provider libraries. */
  executionProvider?: ExecutionProvider;
  /** Threads for one operator (ONNX Runtime's intra-op pool); default: the engine's choice. */
  intraOpThreads?: number;
  /**
   * Whether idle intra-op threads spin waiting for work (ONNX Runtime's default). Spinning lowers
   * latency on dedicated cores; on oversubscribed cores it steals the time the other thread needs
   * (measured 3x slower decode on this shared 2-core machine), so it is off unless asked for.
   */
  spinning?: boolean;
  /** Graph optimisation level; 'all' unless a test needs the graph as written. */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

export interface InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs the graph; `outputs` limits which outputs are fetched (default all). `into` names outputs to
   * be written into the given tensors (same type and dims) instead of new ones; an engine that cannot
   * returns a new tensor, so callers read the result, not the tensor they passed.
   */
  run(
    feeds: Readonly<Record<string, SessionTensor>>,
    outputs?: readonly string[],
    into?: Readonly<Record<string, SessionTensor>>,
  ): Promise<Record<string, SessionTensor>>;
  dispose(): Promise<void>;
}

export type SessionFactory = (modelPath: string, options?: SessionOptions) => Promise<InferenceSession>;

export function float32Tensor(data: Float32Array, dims: readonly number[]): SessionTensor {
  return { type: 'float32', data, dims };
}

export function int64Tensor(values: readonly number[], dims: readonly number[] = [values.length]): SessionTensor {
  return { type: 'int64', data: BigInt64Array.from(values, (v) => BigInt(v)), dims };
}
