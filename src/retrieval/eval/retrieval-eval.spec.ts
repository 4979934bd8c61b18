import { evaluateRetrieval, formatReport } from './retrieval-eval';
import { parseQaJsonl } from './qa-set';

describe('evaluateRetrieval', () => {
  it('reports each mode in the zhiku eval JSON shape', async () => {
    const items = parseQaJsonl(['{"question":"q1","answers":["alpha"]}', '{"question":"q2","answers":["beta"],"doc":"d2.txt"}'].join('\n'));
    // lexical finds q1 at rank 1 and q2 by its gold doc at rank 3; vector finds nothing.
    const report = await evaluateRetrieval(
      items,
      async (query, mode) =>
        mode === 'vector'
          ? [{ text: 'nothing', documentName: 'x.txt' }]
          : query === 'q1'
            ? [{ text: 'has alpha in it', documentName: 'a.txt' }]
            : [
                { text: 'no', documentName: 'x.txt' },
                { text: 'no', documentName: 'y.txt' },
                { text: 'gold', documentName: 'd2.txt' },
              ],
      { modes: ['lexical', 'vector'], ks: [1, 5] },
    );
    expect(report).toEqual({
      questions: 2,
      modes: {
        lexical: { 'recall@1': 0.5, 'recall@5': 1, 'mrr@10': (1 + 1 / 3) / 2, 'ndcg@10': (1 + 1 / Math.log2(4)) / 2 },
        vector: { 'recall@1': 0, 'recall@5': 0, 'mrr@10': 0, 'ndcg@10': 0 },
      },
    });
    expect(formatReport(report)).toContain('lexical      0.500     1.000');
  });
});
