import { LoraStepRunner } from '../engine/lora-step.runner';
import { ARCHITECTURE_CASES as CASES, B, S, SHAPE } from '../testing/architecture-cases';
import { baseParameterValues } from './base-weights';
import { expectClose, finiteDifferences, largestIndices, randomBatch, randomCheckpoint, referenceLoss } from '../testing/training-fixtures';

// Each test builds and runs ONNX Runtime sessions; on two shared cores one can pass the 5 s default.
jest.setTimeout(30_000);

describe.each(CASES)('full-parameter training graph: $name', ({ options, edit, base }) => {
  const ckpt = randomCheckpoint(options);
  const config = edit ? edit(ckpt.config) : ckpt.config;
  const batch = randomBatch(SHAPE.vocab, B, S, 7, 2);
  afterAll(() => ckpt.close());

  it('trains every base weight in full mode: same loss, gradients pass finite differences', async () => {
    const runner = await LoraStepRunner.create(config, ckpt.weights, { batch: B, seqLen: S, base: 'full', routerAuxLossCoef: 0, experts: 'sparse' });
    try {
      const values = baseParameterValues(ckpt.weights, runner.base);
      const { loss, grads } = await runner.step(batch, values);
      expect(Math.abs(loss - (await referenceLoss(config, ckpt, batch, S)))).toBeLessThan(2e-4);
      for (const name of base) expectClose(await finiteDifferences(runner, batch, values, name, largestIndices(grads.get(name)!, 3)));
    } finally {
      await runner.dispose();
    }
  });
});
