import { TopKProcessor } from './top-k.processor';

const logits = () => new Float32Array([2, -1, 0.5, 3, -4]);

describe('TopKProcessor', () => {
  it('keeps the k largest logits', () => {
    expect([...new TopKProcessor(2).process(logits())]).toEqual([2, -Infinity, -Infinity, 3, -Infinity]);
  });
  it('keeps everything when k covers the vocabulary', () => {
    expect([...new TopKProcessor(10).process(logits())]).toEqual([...logits()]);
  });
});
