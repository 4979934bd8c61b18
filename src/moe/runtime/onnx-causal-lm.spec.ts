import * as fs from 'node:fs';
import { MoeError } from '../moe.errors';
import { buildAndLoad } from '../onnx/testing/build-and-load';
import { RandomModelWeights, tinyConfig } from '../onnx/testing/random-weights';
import { createOrtSession, SessionCreateError } from './onnxruntime.session';

describe('OnnxCausalLm', () => {
  const config = tinyConfig('mixtral');
  let dir: string;
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('rejects ids outside the vocabulary, empty input and overlapping forwards with MoeError', async () => {
    const built = await buildAndLoad(config, new RandomModelWeights(config));
    dir = built.dir;
    const lm = built.lm;
    await expect(lm.forward([])).rejects.toThrow(MoeError);
    await expect(lm.forward([config.vocabSize])).rejects.toThrow(/outside the vocabulary/);
    await expect(lm.forward([1.5])).rejects.toThrow(MoeError);
    const first = lm.forward([1, 2, 3]);
    await expect(lm.forward([4])).rejects.toThrow(/one sequence runs at a time/);
    await first;
    expect(lm.cachedLength).toBe(3);
    lm.reset();
    expect(lm.cachedLength).toBe(0);
    const logits = await lm.forward([1, 2]);
    expect(logits).toHaveLength(config.vocabSize);
    expect(await lm.forward([5], { allLogits: true })).toHaveLength(config.vocabSize);
    await expect(lm.forward(Array(config.maxPositionEmbeddings).fill(1))).rejects.toThrow(/exceed this model's context of 128/);
    expect(lm.cachedLength).toBe(3);
    await lm.dispose();
  });

  it('says when an execution provider is not in this onnxruntime-node build', async () => {
    await expect(createOrtSession(`${dir}/model.onnx`, { executionProvider: 'cuda' })).rejects.toThrow(SessionCreateError);
  });

  it('names the file when a model cannot be loaded', async () => {
    const bad = `${dir}/broken.onnx`;
    fs.writeFileSync(bad, 'not a model');
    await expect(createOrtSession(bad)).rejects.toThrow(/could not load .*broken\.onnx/);
  });
});
