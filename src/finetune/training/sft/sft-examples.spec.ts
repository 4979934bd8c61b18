import type { DatasetRecord } from '../../datasets/dataset-record';
import { ChatTemplate } from '../../../moe/tokenizer/chat-template';
import { Tokenizer } from '../../../moe/tokenizer/tokenizer';
import * as path from 'node:path';
import { IGNORE_INDEX } from '../graph/training-losses';
import { randomCheckpoint } from '../testing/training-fixtures';
import { TrainingOptionsError } from '../training.errors';
import { buildSftExamples } from './sft-examples';

const record = (r: Partial<DatasetRecord>): DatasetRecord => ({ instruction: 'What is MoE?', output: 'A mixture of experts.', tags: [], ...r });

describe('buildSftExamples', () => {
  const chatml = randomCheckpoint({ arch: 'qwen2_moe', layers: 1, vocab: 400 });
  const mistral = randomCheckpoint({ arch: 'mixtral', layers: 1, vocab: 400 });
  const open = (dir: string) => ({ tokenizer: Tokenizer.fromFile(path.join(dir, 'tokenizer.json')), template: ChatTemplate.fromDir(dir)! });
  afterAll(() => {
    chatml.close();
    mistral.close();
  });

  /** The text of the labelled tokens: what the model learns to say. */
  const targets = (tokenizer: Tokenizer, labels: number[]) => tokenizer.decode(labels.filter((l) => l !== IGNORE_INDEX));

  it('applies the chat template and labels only the answer, end-of-turn included', () => {
    const { tokenizer, template } = open(chatml.dir);
    const { examples, rejected } = buildSftExamples([record({ system: 'Be brief.', input: 'In one line.' })], tokenizer, template, { maxLength: 256 });
    expect(rejected).toEqual([]);
    const [ex] = examples;
    expect(tokenizer.decode(ex.inputIds)).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is MoE?\nIn one line.<|im_end|>\n<|im_start|>assistant\nA mixture of experts.<|im_end|>\n',
    );
    expect(targets(tokenizer, ex.labels)).toBe('A mixture of experts.<|im_end|>\n');
    // Shifted: position t predicts token t+1, and the last position predicts nothing.
    const first = ex.labels.findIndex((l) => l !== IGNORE_INDEX);
    expect(ex.labels[first]).toBe(ex.inputIds[first + 1]);
    expect(ex.labels[ex.labels.length - 1]).toBe(IGNORE_INDEX);
    expect(ex.truncated).toBe(false);
  });

  it('learns every assistant turn of the history by default, only the last with lossOn: last', () => {
    const { tokenizer, template } = open(chatml.dir);
    const r = record({ history: [['Hi', 'Hello.']] });
    const all = buildSftExamples([r], tokenizer, template, { maxLength: 256 }).examples[0];
    const last = buildSftExamples([r], tokenizer, template, { maxLength: 256, lossOn: 'last' }).examples[0];
    expect(all.inputIds).toEqual(last.inputIds);
    expect(targets(tokenizer, all.labels)).toBe('Hello.<|im_end|>\nA mixture of experts.<|im_end|>\n');
    expect(targets(tokenizer, last.labels)).toBe('A mixture of experts.<|im_end|>\n');
  });

  it('folds the system text into the first user turn when the template refuses a system role (Mistral)', () => {
    const { tokenizer, template } = open(mistral.dir);
    const ex = buildSftExamples([record({ system: 'Be brief.' })], tokenizer, template, { maxLength: 256 }).examples[0];
    expect(tokenizer.decode(ex.inputIds)).toBe('<s>[INST] Be brief.\n\nWhat is MoE? [/INST]A mixture of experts.</s>');
    expect(targets(tokenizer, ex.labels)).toBe('A mixture of experts.</s>');
  });

  it('truncates by dropping the oldest turns first, then cutting the prompt head and the answer tail', () => {
    const { tokenizer, template } = open(chatml.dir);
    const long = 'word '.repeat(60).trim();
    const withHistory = record({ history: [[long, long], ['Hi', 'Hello.']] });
    const full = buildSftExamples([withHistory], tokenizer, template, { maxLength: 4096 }).examples[0];
    const cut = buildSftExamples([withHistory], tokenizer, template, { maxLength: full.inputIds.length - 1 }).examples[0];
    expect(cut.truncated).toBe(true);
    expect(tokenizer.decode(cut.inputIds)).not.toContain('word');
    expect(tokenizer.decode(cut.inputIds)).toContain('Hi<|im_end|>');

    const big = record({ instruction: long, output: long });
    const tight = buildSftExamples([big], tokenizer, template, { maxLength: 20 }).examples[0];
    expect(tight.inputIds).toHaveLength(20);
    expect(tight.labels.filter((l) => l !== IGNORE_INDEX).length).toBeGreaterThanOrEqual(10);
    // The prompt keeps its tail: the assistant header the answer follows.
    expect(tokenizer.decode(tight.inputIds)).toContain('<|im_start|>assistant\nword');
  });

  it('reports records it cannot use and refuses a maxLength below 2', () => {
    const { tokenizer } = open(chatml.dir);
    const lastOnly = new ChatTemplate("{{ messages[-1]['content'] }}");
    const { examples, rejected } = buildSftExamples([record({})], tokenizer, lastOnly, { maxLength: 64 });
    expect(examples).toEqual([]);
    expect(rejected).toEqual([{ record: 0, reason: expect.stringMatching(/rewrites earlier turns/) }]);
    expect(() => buildSftExamples([], tokenizer, lastOnly, { maxLength: 1 })).toThrow(TrainingOptionsError);
  });
});
