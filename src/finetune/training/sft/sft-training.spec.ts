import * as path from 'node:path';
import type { DatasetRecord } from '../../datasets/dataset-record';
import { ChatTemplate } from '../../../moe/tokenizer/chat-template';
import { Tokenizer } from '../../../moe/tokenizer/tokenizer';
import { LoraStepRunner } from '../engine/lora-step.runner';
import { LoraTrainer } from '../engine/lora.trainer';
import { initLoraParameters, LORA_TARGETS } from '../lora/lora.options';
import { randomCheckpoint } from '../testing/training-fixtures';
import { packSequences, toTrainingBatches } from './sequence-packing';
import { buildSftExamples } from './sft-examples';

const RECORDS: DatasetRecord[] = [
  { instruction: '公司的年假有几天？', output: '正式员工每年有十五天带薪年假。', tags: [] },
  { instruction: 'Who approves travel expenses?', output: 'Your line manager approves them in the expense system.', tags: [] },
  { instruction: '报销需要哪些材料？', input: '差旅', output: '发票原件、行程单和审批记录。', tags: [] },
  { instruction: 'Where is the VPN guide?', output: 'In the IT knowledge base, under Remote work.', tags: [], system: 'Answer briefly.' },
];

describe('SFT from dataset records to training steps', () => {
  const ckpt = randomCheckpoint({ arch: 'qwen2_moe', layers: 1, hidden: 32, intermediate: 32, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 400, seed: 5 });
  afterAll(() => ckpt.close());

  it('templated, packed records train: the answer loss falls with LoRA dropout on', async () => {
    const tokenizer = Tokenizer.fromFile(path.join(ckpt.dir, 'tokenizer.json'));
    const { examples, rejected } = buildSftExamples(RECORDS, tokenizer, ChatTemplate.fromDir(ckpt.dir)!, { maxLength: 128 });
    expect(rejected).toEqual([]);
    const rows = packSequences(examples, 256);
    expect(rows.length).toBeLessThan(examples.length);
    const batches = toTrainingBatches(rows, 2);
    const runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: { rank: 4, alpha: 8, targets: LORA_TARGETS, dropout: 0.05 }, batch: 2, seqLen: 256 });
    try {
      const values = initLoraParameters(runner.params, 1);
      const history = await new LoraTrainer(runner, { steps: 25, peakLr: 2e-2, warmupSteps: 2, seed: 3 }).train(values, (i) => batches[i % batches.length]);
      const evalLoss = async () => (await runner.step(batches[0], values, { evaluate: true })).loss;
      expect(history[history.length - 1].loss).toBeLessThan(0.6 * history[0].loss);
      expect(await evalLoss()).toBeLessThan(0.6 * history[0].loss);
    } finally {
      await runner.dispose();
    }
  }, 30_000);
});
