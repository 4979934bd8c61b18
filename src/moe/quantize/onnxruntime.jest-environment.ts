import { TestEnvironment } from 'jest-environment-node';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';

/**
 * Jest runs each spec in its own V8 context, but onnxruntime-node's native binding builds output
 * tensors with the main context's typed arrays, which then fail onnxruntime-common's
 * `instanceof Float32Array` checks. Specs that run ONNX Runtime sessions opt in with
 * `@jest-environment ./src/moe/quantize/onnxruntime.jest-environment.ts` to share the main context's typed arrays.
 */
export default class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const g = this.global as unknown as Record<string, unknown>;
    for (const name of [
      'ArrayBuffer',
      'Uint8Array',
      'Int8Array',
      'Uint16Array',
      'Int16Array',
      'Uint32Array',
      'Int32Array',
      'Float32Array',
      'Float64Array',
      'BigInt64Array',
      'BigUint64Array',
    ]) {
      g[name] = (globalThis as unknown as Record<string, unknown>)[name];
    }
  }
}
