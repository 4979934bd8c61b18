import * as fs from 'node:fs';
import { MoeError } from '../moe.errors';
import { GRAPH_IO } from '../onnx/decoder/decoder.builder';
import { buildAndLoad, relativeDiff } from '../onnx/testing/build-and-load';
import { RandomModelWeights, tinyConfig } from '../onnx/testing/random-weights';
import type { InferenceSession } from './inference-session';
import { OnnxCausalLm } from './onnx-causal-lm';
import { createOrtSession, SessionCreateError } from './onnxruntime.session';

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

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

  it('a shared KV cache written in place gives the logits of a concatenated one, across capacity growth and reset', async () => {
    const cfg = tinyConfig('mixtral', { maxPositionEmbeddings: 600 });
    const weights = new RandomModelWeights(cfg);
    const concat = await buildAndLoad(cfg, weights, { kvCache: 'concat' });
    const shared = await buildAndLoad(cfg, weights);
    try {
      // Count the runs whose present outputs came back in the very buffers passed in.
      const session = await createOrtSession(shared.built.modelPath, { intraOpThreads: 1 });
      let inPlace = 0;
      let runs = 0;
      const watching: InferenceSession = {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        dispose: () => session.dispose(),
        run: async (feeds, outputs, into) => {
          const passed = into?.[GRAPH_IO.presentKey(1)].data as Float32Array | undefined;
          const before = passed ? Float32Array.from(passed) : null;
          const out = await session.run(feeds, outputs, into);
          runs++;
          if (passed) {
            // In place: the kernel wrote this run's rows into the buffer it was given (and only those).
            const returned = out[GRAPH_IO.presentKey(1)].data as Float32Array;
            const written = passed.reduce((n, x, i) => n + (x !== before![i] ? 1 : 0), 0);
            const rows = (feeds[GRAPH_IO.inputIds].dims[1] as number) * cfg.numKvHeads * cfg.headDim;
            if (returned.every((x, i) => x === passed[i]) && written > 0 && written <= rows) inPlace++;
          }
          return out;
        },
      };
      expect(session.inputNames).toContain(GRAPH_IO.pastLength);
      expect(concat.lm['shared']).toBeNull();
      const lm = new OnnxCausalLm(cfg, watching, 600);
      // 250 prompt tokens, then decoding past the first capacity (256 rows), then a fresh sequence.
      for (const promptLength of [250, 7]) {
        const prompt = Array.from({ length: promptLength }, (_, i) => (i * 7 + promptLength) % cfg.vocabSize);
        let a = await concat.lm.forward(prompt);
        let b = await lm.forward(prompt);
        for (let step = 0; step < 10; step++) {
          expect(relativeDiff(b, a)).toBeLessThan(1e-5);
          const next = argmax(a);
          a = await concat.lm.forward([next]);
          b = await lm.forward([next]);
        }
        expect(relativeDiff(b, a)).toBeLessThan(1e-5);
        concat.lm.reset();
        lm.reset();
      }
      expect(runs).toBe(22);
      expect(inPlace).toBe(runs);
      expect(lm['shared']!.capacityRows).toBe(512);
      await lm.dispose();
    } finally {
      await concat.lm.dispose();
      await shared.lm.dispose();
      for (const d of [concat.dir, shared.dir]) fs.rmSync(d, { recursive: true, force: true });
    }
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
