import * as path from 'node:path';
import { trainByteLevelMerges, TRAINING_TEXT } from '../../../moe/random/bpe.trainer';
import { readCorpus } from './corpus';
import { learnByteLevelMerges } from './bpe-merges';

const QA = path.resolve(__dirname, '../../../../..', 'shared/data/qa');

describe('learnByteLevelMerges', () => {
  it('learns exactly the merges of src/moe’s trainer, in the same order', () => {
    const docs = [...readCorpus(path.join(QA, 'cmrc2018/docs')).slice(0, 6), ...readCorpus(path.join(QA, 'rgb_en/docs')).slice(0, 6)];
    const text = `${TRAINING_TEXT}\n${docs.join('\n')}`.slice(0, 12_000);
    expect(learnByteLevelMerges(text, 250)).toEqual(trainByteLevelMerges(text, 250));
    // Runs out of pairs the same way too.
    expect(learnByteLevelMerges('aaaa bbb', 50)).toEqual(trainByteLevelMerges('aaaa bbb', 50));
  });
});
