import { parseTemplateSource } from './front-matter.parser';
import { estimateTokens, renderWithinBudget } from './prompt-budget';
import { CompiledTemplate } from './prompt.renderer';
import { PromptTooLongError } from './prompts.errors';

const template = new CompiledTemplate(
  parseTemplateSource(`---
name: b
task: qa
language: en
variables:
  question: { type: string, required: true }
  context: { type: chunks, required: true }
---
=== system ===
Answer.
=== user ===
{% for c in context %}[{{ c.index }}] {{ c.text }}
{% endfor %}
Q: {{ question }}
`),
);
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
const chunk = (n: number) => Array.from({ length: 10 }, () => `w${n}`).join(' ');

describe('rendering within a token budget', () => {
  const context = [1, 2, 3, 4, 5].map((n) => ({ text: chunk(n) }));

  it('keeps everything when it fits', async () => {
    const r = await renderWithinBudget(template, { question: 'why?', context }, { budget: 1000, countTokens: words });
    expect(r.chunksIncluded.context).toEqual([1, 2, 3, 4, 5]);
    expect(r.chunksTrimmed.context).toEqual([]);
    expect(r.tokens).toBe(1 + 5 * 11 + 2);
  });

  it('drops the lowest-ranked chunks first, keeps their numbers, and never cuts the question', async () => {
    const question = 'a long question '.repeat(5).trim();
    const r = await renderWithinBudget(template, { question, context }, { budget: 1 + 3 * 11 + 16, countTokens: words });
    expect(r.chunksIncluded.context).toEqual([1, 2, 3]);
    expect(r.chunksTrimmed.context).toEqual([5, 4]);
    expect(r.user).toContain(`Q: ${question}`);
    expect(r.tokens).toBeLessThanOrEqual(1 + 3 * 11 + 16);
  });

  it('follows explicit ranks, not list order, and accepts an async counter', async () => {
    const ranked = [{ text: chunk(1), rank: 3 }, { text: chunk(2), rank: 1 }, { text: chunk(3), rank: 2 }];
    const r = await renderWithinBudget(template, { question: 'q', context: ranked }, { budget: 1 + 2 * 11 + 2, countTokens: async (t) => words(t) });
    expect(r.chunksIncluded.context).toEqual([2, 3]);
    expect(r.chunksTrimmed.context).toEqual([1]);
  });

  it('fails with a 400 naming the sizes when the question alone is over the budget', async () => {
    const run = renderWithinBudget(template, { question: 'word '.repeat(50), context }, { budget: 20, countTokens: words });
    await expect(run).rejects.toBeInstanceOf(PromptTooLongError);
    await expect(run).rejects.toMatchObject({ httpStatus: 400, tokens: 1 + 1 + 50, budget: 20 });
  });

  it('estimates one token per Chinese character and about one per four letters', () => {
    expect(estimateTokens('年假有几天')).toBe(5);
    expect(estimateTokens('How many days?')).toBe(1 + 1 + 1 + 1);
    expect(estimateTokens('internationalisation')).toBe(5);
  });
});
