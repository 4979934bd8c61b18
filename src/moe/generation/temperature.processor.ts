import { GenerationError } from '../moe.errors';
import type { LogitsProcessor } from './logits-processor';

/** Divides logits by the temperature: below 1 sharpens the distribution, above 1 flattens it. */
export class TemperatureProcessor implements LogitsProcessor {
  constructor(private readonly temperature: number) {
    if (!(temperature > 0) || !Number.isFinite(temperature)) throw new GenerationError(`temperature must be a positive number, got ${temperature}; use greedy decoding for 0`);
  }

  process(logits: Float32Array): Float32Array {
    for (let i = 0; i < logits.length; i++) logits[i] /= this.temperature;
    return logits;
  }
}
