import { TopPProcessor } from './top-p.processor';

describe('TopPProcessor', () => {
  // Probabilities 0.5, 0.3, 0.15, 0.05.
  const probs = () => new Float32Array([0.5, 0.3, 0.15, 0.05].map(Math.log));
  it('keeps the smallest set whose probability reaches p', () => {
    expect([...new TopPProcessor(0.8).process(probs())].map((v) => v === -Infinity)).toEqual([false, false, true, true]);
    expect([...new TopPProcessor(0.81).process(probs())].map((v) => v === -Infinity)).toEqual([false, false, false, true]);
  });
  it('always keeps the most probable token', () => {
    expect([...new TopPProcessor(0.01).process(probs())].filter((v) => v !== -Infinity)).toHaveLength(1);
  });
});
