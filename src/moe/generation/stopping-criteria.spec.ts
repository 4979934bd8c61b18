import { EosCriterion, MaxTokensCriterion, StopStringCriterion } from './stopping-criteria';

describe('stopping criteria', () => {
  it('stops on max tokens, on EOS and on stop strings', () => {
    expect(new MaxTokensCriterion(2).check({ generated: [1], text: '' })).toBeNull();
    expect(new MaxTokensCriterion(2).check({ generated: [1, 2], text: '' })).toBe('max_tokens');
    expect(new EosCriterion([7, 9]).check({ generated: [1, 9], text: '' })).toBe('eos');
    expect(new EosCriterion([7]).check({ generated: [7, 1], text: '' })).toBeNull();
    const stop = new StopStringCriterion(['\nUser:', '###']);
    expect(stop.check({ generated: [], text: 'Answer\nUser: hi' })).toBe('stop_string');
    expect(stop.firstMatch('a ### b\nUser:')).toBe(2);
    expect(stop.pendingSuffix('Answer\nUs')).toBe(3);
    expect(stop.pendingSuffix('Answer')).toBe(0);
  });
});
