import { GenerationError } from '../moe.errors';
import { TemperatureProcessor } from './temperature.processor';

const logits = () => new Float32Array([2, -1, 0.5, 3, -4]);

describe('TemperatureProcessor', () => {
  it('divides logits by the temperature', () => {
    expect([...new TemperatureProcessor(2).process(logits())]).toEqual([1, -0.5, 0.25, 1.5, -2]);
  });
  it('refuses zero and negative temperatures', () => {
    expect(() => new TemperatureProcessor(0)).toThrow(GenerationError);
    expect(() => new TemperatureProcessor(-1)).toThrow(/positive/);
  });
});
