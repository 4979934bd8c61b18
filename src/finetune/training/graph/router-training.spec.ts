import { ExpertCallCounter } from '../../../moe/reference/expert-call.counter';
import { ReferenceCausalLm } from '../../../moe/reference/reference.model';
import { LoraStepRunner, type TrainingBatch } from '../engine/lora-step.runner';
import { LoraTrainer } from '../engine/lora.trainer';
import { initLoraParameters, type LoraOptions } from '../lora/lora.options';
import { expectClose, finiteDifferences, largestIndices, randomBatch, randomCheckpoint } from '../testing/training-fixtures';
import { baseParameterValues } from './base-weights';
import { DEFAULT_ROUTER_AUX_LOSS_COEF } from './training-losses';

// Each test builds and runs ONNX Runtime sessions; on two shared cores one can pass the 5 s default.
jest.setTimeout(30_000);

const LORA: LoraOptions = { rank: 4, alpha: 8, targets: ['q_proj', 'down_proj'] };
const [B, S] = [2, 8];
const E = 4;

describe('router training and the load-balancing loss', () => {
  const ckpt = randomCheckpoint({ arch: 'mixtral', layers: 2, hidden: 32, intermediate: 48, experts: E, topK: 2, heads: 4, kvHeads: 2, vocab: 300, seed: 12 });
  const batch: TrainingBatch = { ...randomBatch(300, B, S, 4), segmentIds: [...new Array(S + 5).fill(1), 0, 0, 0] };
  afterAll(() => ckpt.close());

  /** transformers' load_balancing_loss_func over src/moe's reference routing of the same (unpadded) tokens. */
  async function referenceAuxLoss(): Promise<number> {
    const counter = new ExpertCallCounter();
    const model = new ReferenceCausalLm(ckpt.config, ckpt.weights, { counter });
    for (let row = 0; row < B; row++) {
      model.reset();
      const kept = batch.inputIds.slice(row * S, (row + 1) * S).filter((_, t) => batch.segmentIds![row * S + t] !== 0);
      await model.forward(kept);
    }
    const f = new Float64Array(E);
    const p = new Float64Array(E);
    for (const r of counter.routing) {
      for (const e of r.experts) f[e] += 1;
      const max = Math.max(...r.routerLogits);
      const exp = Array.from(r.routerLogits, (v) => Math.exp(v - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      exp.forEach((v, e) => (p[e] += v / sum));
    }
    const n = counter.routing.length;
    return E * f.reduce((acc, fe, e) => acc + (fe / n) * (p[e] / n), 0);
  }

  it('keeps the router frozen by default and still reports the auxiliary loss, equal to transformers’ formula on the reference routing', async () => {
    const runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S });
    try {
      expect(runner.base).toEqual([]);
      expect(runner.routerAuxLossCoef).toBe(0);
      const { auxLoss } = await runner.step(batch, initLoraParameters(runner.params, 1));
      expect(Math.abs(auxLoss! - (await referenceAuxLoss()))).toBeLessThan(1e-5);
    } finally {
      await runner.dispose();
    }
  });

  it('trains the full router weights on request, with the auxiliary term in their gradients (finite differences)', async () => {
    const runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S, base: 'router', routerAuxLossCoef: 1, experts: 'dense' });
    const lmOnly = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S, base: 'router', routerAuxLossCoef: 0, experts: 'dense' });
    try {
      expect(runner.base.map((p) => [p.name, p.dims])).toEqual([
        ['base.layers.0.router', [32, E]],
        ['base.layers.1.router', [32, E]],
      ]);
      const values = new Map([...initLoraParameters(runner.params, 3), ...baseParameterValues(ckpt.weights, runner.base)]);
      const withAux = await runner.step(batch, values);
      const without = await lmOnly.step(batch, values);
      expect(withAux.loss).toBeCloseTo(without.loss, 6);
      const router = 'base.layers.0.router';
      const diff = withAux.grads.get(router)!.map((g, i) => g - without.grads.get(router)![i]);
      expect(Math.max(...diff.map(Math.abs))).toBeGreaterThan(1e-4);
      for (const name of ['base.layers.0.router', 'base.layers.1.router']) {
        expectClose(await finiteDifferences(runner, batch, values, name, largestIndices(withAux.grads.get(name)!, 4), 2e-3), 3e-2, 2e-3);
      }
    } finally {
      await runner.dispose();
      await lmOnly.dispose();
    }
  });

  it('uses transformers’ default coefficient and reports the auxiliary loss per step', async () => {
    const runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S, base: 'router' });
    try {
      expect(runner.routerAuxLossCoef).toBe(DEFAULT_ROUTER_AUX_LOSS_COEF);
      const values = new Map([...initLoraParameters(runner.params, 3), ...baseParameterValues(ckpt.weights, runner.base)]);
      const history = await new LoraTrainer(runner, { steps: 3, peakLr: 1e-2 }).train(values, () => batch);
      expect(history.every((r) => r.auxLoss !== undefined && r.auxLoss > 0)).toBe(true);
      const before = baseParameterValues(ckpt.weights, runner.base).get('base.layers.0.router')!;
      expect(values.get('base.layers.0.router')).not.toEqual(before);
    } finally {
      await runner.dispose();
    }
  });
});
