import * as vm from 'node:vm';
import type * as OrtModule from 'onnxruntime-node';
import { MoeError } from '../moe.errors';
import type { InferenceSession, SessionOptions, SessionTensor, TensorData } from './inference-session';

/**
 * onnxruntime-node is loaded with Node's own require, not the caller's: a host that runs modules in a
 * separate realm (jest's vm contexts) would otherwise hold onnxruntime-common's Tensor in a realm
 * whose typed arrays the native binding's outputs fail `instanceof` against.
 */
const hostProcess = vm.runInThisContext('process') as NodeJS.Process;
const hostModule = hostProcess.getBuiltinModule('node:module') as typeof import('node:module');
const ort = hostModule.createRequire(__filename)('onnxruntime-node') as typeof OrtModule;
type OrtTensor = OrtModule.Tensor;

/** Typed-array constructors of the realm onnxruntime-node runs in, for zero-copy views of our data. */
const HOST_ARRAYS = vm.runInThisContext(
  '({ float32: Float32Array, float16: Uint16Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array, bool: Uint8Array })',
) as Record<SessionTensor['type'], new (buffer: ArrayBufferLike, offset: number, length: number) => TensorData>;

function hostView(t: SessionTensor): TensorData {
  const Ctor = HOST_ARRAYS[t.type];
  return t.data instanceof Ctor ? t.data : new Ctor(t.data.buffer, t.data.byteOffset, t.data.length);
}

/** The execution provider asked for is not in this onnxruntime-node build, or the model failed to load. */
export class SessionCreateError extends MoeError {}

/** onnxruntime-node behind the InferenceSession interface: the one file that imports it. */
class OrtInferenceSession implements InferenceSession {
  constructor(private readonly session: OrtModule.InferenceSession) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(
    feeds: Readonly<Record<string, SessionTensor>>,
    outputs?: readonly string[],
    into?: Readonly<Record<string, SessionTensor>>,
  ): Promise<Record<string, SessionTensor>> {
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      // A view over the caller's buffer, not a copy: a present KV output fed back costs nothing.
      ortFeeds[name] = new ort.Tensor(t.type, hostView(t) as never, [...t.dims]);
    }
    let result: OrtModule.InferenceSession.ReturnType;
    if (into && Object.keys(into).length > 0) {
      // Pre-allocated outputs over the caller's memory: a kernel handed the same buffer as input and
      // output (GroupQueryAttention's KV cache) writes in place.
      const fetches: Record<string, OrtTensor | null> = {};
      for (const name of outputs ?? this.session.outputNames) fetches[name] = null;
      for (const [name, t] of Object.entries(into)) fetches[name] = new ort.Tensor(t.type, hostView(t) as never, [...t.dims]);
      result = await this.session.run(ortFeeds, fetches as OrtModule.InferenceSession.FetchesType);
    } else {
      result = outputs ? await this.session.run(ortFeeds, [...outputs]) : await this.session.run(ortFeeds);
    }
    const out: Record<string, SessionTensor> = {};
    for (const [name, value] of Object.entries(result)) {
      const t = value as OrtTensor;
      out[name] = { type: t.type as SessionTensor['type'], dims: t.dims, data: t.data as TensorData };
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

export async function createOrtSession(modelPath: string, options: SessionOptions = {}): Promise<InferenceSession> {
  const provider = options.executionProvider ?? 'cpu';
  const available = ort.listSupportedBackends().map((b) => b.name);
  if (!available.includes(provider)) {
    throw new SessionCreateError(
      `execution provider '${provider}' is not in this onnxruntime-node build (available: ${available.join(', ')}); ` +
        `install onnxruntime-node with its CUDA libraries on a GPU host, or choose 'cpu'`,
    );
  }
  try {
    const session = await ort.InferenceSession.create(modelPath, {
      executionProviders: [provider],
      ...(options.intraOpThreads !== undefined ? { intraOpNumThreads: options.intraOpThreads } : {}),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: options.optimization ?? 'all',
      logSeverityLevel: 3,
      ...(options.spinning !== true ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } } : {}),
    });
    return new OrtInferenceSession(session);
  } catch (e) {
    const hint =
      provider === 'cpu'
        ? ''
        : ` (onnxruntime-node loads the ${provider} provider from libraries fetched at install time on a host with ` +
          `network access and a matching driver; without them run with the 'cpu' provider)`;
    throw new SessionCreateError(`could not load ${modelPath} on ${provider}: ${(e as Error).message}${hint}`);
  }
}
