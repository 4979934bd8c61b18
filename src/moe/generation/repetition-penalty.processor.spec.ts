import { RepetitionPenaltyProcessor } from './repetition-penalty.processor';

const logits = () => new Float32Array([2, -1, 0.5, 3, -4]);

describe('RepetitionPenaltyProcessor', () => {
  it('divides positive and multiplies negative logits of seen tokens, once each', () => {
    expect([...new RepetitionPenaltyProcessor(2).process(logits(), [0, 1, 1, 4])]).toEqual([1, -2, 0.5, 3, -8]);
  });
});
