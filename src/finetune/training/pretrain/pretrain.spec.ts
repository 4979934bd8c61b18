import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint } from '../../../moe/checkpoint/checkpoint.loader';
import { importModel } from '../../../moe/import/import-model';
import { ChatTemplate } from '../../../moe/tokenizer/chat-template';
import { Tokenizer } from '../../../moe/tokenizer/tokenizer';
import { referenceLoss } from '../testing/training-fixtures';
import { TrainingOptionsError } from '../training.errors';
import { holdOut, readCorpus } from './corpus';
import { heldOutWindows, pretrain } from './pretrain';

const CMRC = path.resolve(__dirname, '../../../../..', 'shared/data/qa/cmrc2018/docs');
const SHAPE = { layers: 2, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: 600 } as const;

describe('pretrain', () => {
  let work: string;
  beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-pretrain-spec-'))));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('trains every weight of a small MoE on Chinese text and writes a folder src/moe reads, imports and quantizes', async () => {
    const outDir = path.join(work, 'model');
    const result = await pretrain({ arch: 'mixtral', ...SHAPE, textDir: CMRC, outDir, steps: 80, seqLen: 16, batch: 8, lr: 1e-2, seed: 3, heldOutFraction: 0.1 });
    if (process.env.ZHIKU_PRINT_LOSS) console.log(result);
    expect(result.lastLoss).toBeLessThan(result.firstLoss - 0.7);
    expect(result.heldOutLossAfter!).toBeLessThan(result.heldOutLossBefore! - 0.7);

    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) expect(fs.existsSync(path.join(outDir, f))).toBe(true);
    const ckpt = openCheckpoint(outDir);
    try {
      expect(ckpt.config.architecture).toBe('mixtral');
      expect(ckpt.config.vocabSize).toBe(result.vocabSize);
      // The written weights are the trained ones: src/moe's reference pass over them reproduces the held-out loss.
      const tokenizer = Tokenizer.fromFile(path.join(outDir, 'tokenizer.json'));
      const end = tokenizer.tokenToId('<|endoftext|>')!;
      const ids = holdOut(readCorpus(CMRC), 0.1).heldOut.flatMap((d) => [...tokenizer.encode(d), end]);
      const batches = heldOutWindows(ids, 8, 16, 8);
      let total = 0;
      for (const b of batches) total += await referenceLoss(ckpt.config, ckpt, b, 16);
      expect(Math.abs(total / batches.length - result.heldOutLossAfter!)).toBeLessThan(1e-3);
      expect(ChatTemplate.fromDir(outDir)!.render([{ role: 'user', content: '你好' }])).toBe('<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n');
      expect(tokenizer.decode(tokenizer.encode('知识库回答问题'))).toBe('知识库回答问题');
    } finally {
      ckpt.weights.close();
    }
    const manifest = await importModel(outDir, path.join(work, 'int4'), { bits: 4 });
    expect(manifest).toBeDefined();
  }, 60_000);

  it('refuses a folder without text and an output folder in use', async () => {
    const empty = fs.mkdtempSync(path.join(work, 'empty-'));
    await expect(pretrain({ arch: 'mixtral', textDir: empty, outDir: path.join(work, 'x') })).rejects.toThrow(TrainingOptionsError);
    await expect(pretrain({ arch: 'mixtral', textDir: path.join(work, 'missing'), outDir: path.join(work, 'x') })).rejects.toThrow(/is not a folder/);
    fs.writeFileSync(path.join(empty, 'a.txt'), 'text');
    await expect(pretrain({ arch: 'mixtral', textDir: CMRC, outDir: empty })).rejects.toThrow(/already exists/);
  });
});
