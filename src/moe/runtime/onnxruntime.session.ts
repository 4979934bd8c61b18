import * as ort from 'onnxruntime-node';
import { MoeError } from '../moe.errors';
import type { InferenceSession, SessionOptions, SessionTensor, TensorData } from './inference-session';

/** The execution provider asked for is not in this onnxruntime-node build, or the model failed to load. */
export class SessionCreateError extends MoeError {}

/** onnxruntime-node behind the InferenceSession interface: the one file that imports it. */
class OrtInferenceSession implements InferenceSession {
  constructor(private readonly session: ort.InferenceSession) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Readonly<Record<string, SessionTensor>>, outputs?: readonly string[]): Promise<Record<string, SessionTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      // Wraps the caller's typed array without copying, so a present KV output fed back costs nothing.
      ortFeeds[name] = new ort.Tensor(t.type, t.data as never, [...t.dims]);
    }
    const result = outputs ? await this.session.run(ortFeeds, [...outputs]) : await this.session.run(ortFeeds);
    const out: Record<string, SessionTensor> = {};
    for (const [name, value] of Object.entries(result)) {
      const t = value as ort.Tensor;
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
    });
    return new OrtInferenceSession(session);
  } catch (e) {
    throw new SessionCreateError(`could not load ${modelPath} on ${provider}: ${(e as Error).message}`);
  }
}
