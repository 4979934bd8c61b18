import * as path from 'node:path';
import { openCheckpoint } from '../checkpoint/checkpoint.loader';
import type { MoeConfig } from '../model/moe-config';
import type { Tensor } from '../model/model-weights';
import { MOE_FIXTURES } from '../testing/fixture-paths';
import { MIXTRAL_640M } from '../testing/bench-shapes';
import { quantizeTensor } from './matrix.quantizer';
import { modelTensors, type WeightRef } from './model-tensors';
import { DEFAULT_GROUP, type QuantizationMode, modeGroup, planQuantization, plannedTensorFor, useMoreBits } from './quantization-plan';
import { weightError } from './quality-report';
import { QuantizationError } from './quantize.types';

/** Mixtral-8x7B's shape: experts are 96% of its 46.7 B parameters. */
const MIXTRAL_8X7B: MoeConfig = {
  ...MIXTRAL_640M,
  hiddenSize: 4096,
  numLayers: 32,
  numHeads: 32,
  numKvHeads: 8,
  headDim: 128,
  moe: { ...MIXTRAL_640M.moe, intermediateSize: 14336 },
  layerKinds: Array(32).fill('moe'),
};

const mode = (bits: QuantizationMode['bits'], extra: Partial<QuantizationMode> = {}): QuantizationMode => ({
  bits,
  group: 32,
  symmetric: false,
  ...extra,
});

function expertBits(plan: ReturnType<typeof planQuantization>, layer: number, name: 'gate_proj' | 'up_proj' | 'down_proj') {
  return plannedTensorFor(plan, { kind: 'expert', layer, expert: 0, name }).bits;
}

describe('quantization plan', () => {
  it('counts the benchmark model at 640 M parameters', () => {
    const plan = planQuantization(MIXTRAL_640M, mode(8));
    expect(plan.totalParams / 1e6).toBeCloseTo(640.2, 1);
  });

  it.each([MIXTRAL_640M, MIXTRAL_8X7B])('the 3-bit mix averages just under 3 bits from 2-, 4- and 8-bit kernels (%#)', (config) => {
    const plan = planQuantization(config, mode(3));
    expect(plan.averageBits).toBeLessThanOrEqual(3);
    expect(plan.averageBits).toBeGreaterThan(2.85);
    for (const t of plan.tensors) expect([32, 8, 4, 2]).toContain(t.kernelBits);
    expect(plan.tensors.some((t) => t.bits === 3)).toBe(false);
    // More bits where they matter: router float, lm_head 8, k/v 8, first layer's experts 4.
    expect(plannedTensorFor(plan, { kind: 'layer', layer: 0, name: 'router' }).bits).toBe(32);
    expect(plannedTensorFor(plan, { kind: 'global', name: 'lm_head' }).bits).toBe(8);
    expect(plannedTensorFor(plan, { kind: 'layer', layer: 3, name: 'v_proj' }).bits).toBe(8);
    expect(plannedTensorFor(plan, { kind: 'layer', layer: 3, name: 'q_proj' }).bits).toBe(4);
    expect(expertBits(plan, 0, 'down_proj')).toBe(4);
    expect(expertBits(plan, config.numLayers - 1, 'down_proj')).toBe(4);
    // Down projections are promoted before gate/up, and some experts stay at 2 bits.
    const downs = [...Array(config.numLayers).keys()].filter((l) => expertBits(plan, l, 'down_proj') === 4).length;
    const gateUps = [...Array(config.numLayers).keys()].filter((l) => expertBits(plan, l, 'gate_proj') === 4).length;
    expect(downs).toBeGreaterThanOrEqual(gateUps);
    expect(plan.byClass.expert_gate_up!.averageBits).toBeLessThan(3);
    // Experts of one layer and projection share a width, so top-k of them are a fixed byte count.
    for (let l = 0; l < config.numLayers; l++) {
      const widths = new Set(plan.tensors.filter((t) => t.ref.kind === 'expert' && t.ref.layer === l && t.ref.name === 'up_proj').map((t) => t.bits));
      expect(widths.size).toBe(1);
    }
  });

  it('follows llama.cpp use_more_bits: first and last eighth, every third layer between', () => {
    expect([...Array(8).keys()].filter((l) => useMoreBits(l, 8))).toEqual([0, 3, 6, 7]);
    expect([...Array(32).keys()].filter((l) => useMoreBits(l, 32))).toEqual([0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]);
  });

  it('3-bit packed stores experts at 3 bits and runs them on the 4-bit kernel', () => {
    const plan = planQuantization(MIXTRAL_640M, mode(3, { int3: 'packed' }));
    const down = plannedTensorFor(plan, { kind: 'expert', layer: 2, expert: 5, name: 'down_proj' });
    expect(down.bits).toBe(3);
    expect(down.kernelBits).toBe(4);
    expect(down.spec).toMatchObject({ bits: 3, blockSize: 32, symmetric: false, method: 'search' });
    // 32 codes: 12 bytes packed vs 16 loaded, plus 4 bytes of scale and the zero point.
    expect(down.loadedBytes).toBeGreaterThan(down.diskBytes);
    expect(plan.loadedBitsPerWeight - plan.diskBitsPerWeight).toBeGreaterThan(0.8);
  });

  it('uniform modes: 8-bit everywhere but the router; 4-bit experts with an 8-bit lm_head', () => {
    const p8 = planQuantization(MIXTRAL_640M, mode(8, { symmetric: true }));
    for (const t of p8.tensors) expect(t.bits).toBe(t.cls === 'router' || t.cls === 'vector' ? 32 : 8);
    expect(p8.tensors.find((t) => t.spec)!.spec!.method).toBe('rtn');
    const p4 = planQuantization(MIXTRAL_640M, mode(4));
    expect(p4.byClass.expert_down!.averageBits).toBe(4);
    expect(p4.averageBits).toBeGreaterThan(4);
    expect(p4.averageBits).toBeLessThan(4.5);
    const p2 = planQuantization(MIXTRAL_640M, mode(2));
    expect(p2.byClass.expert_gate_up!.averageBits).toBe(2);
    expect(p2.averageBits).toBeLessThan(2.6);
    // Bytes a decoded token reads shrink with the width.
    expect(p8.decodeBytesPerToken).toBeGreaterThan(p4.decodeBytesPerToken);
    expect(p4.decodeBytesPerToken).toBeGreaterThan(planQuantization(MIXTRAL_640M, mode(3)).decodeBytesPerToken);
  });

  it('gives 2-bit tensors group 128 unless told otherwise (the 2-bit kernel is slow at 32)', () => {
    const plan = planQuantization(MIXTRAL_640M, mode(3));
    const two = plan.tensors.filter((t) => t.bits === 2);
    expect(two.length).toBeGreaterThan(0);
    for (const t of two) expect(t.spec!.blockSize).toBe(128);
    for (const t of plan.tensors.filter((x) => x.bits === 4)) expect(t.spec!.blockSize).toBe(32);
    const g32 = planQuantization(MIXTRAL_640M, mode(2, { group2: 32 }));
    expect(plannedTensorFor(g32, { kind: 'expert', layer: 1, expert: 0, name: 'up_proj' }).spec!.blockSize).toBe(32);
    expect(g32.diskBytes).toBeGreaterThan(planQuantization(MIXTRAL_640M, mode(2)).diskBytes);
    expect(() => planQuantization(MIXTRAL_640M, mode(2, { group2: 96 }))).toThrow(/power of two/);
    const narrow = planQuantization({ ...MIXTRAL_640M, hiddenSize: 64, numHeads: 4, numKvHeads: 2, headDim: 16 }, mode(2));
    expect(plannedTensorFor(narrow, { kind: 'expert', layer: 1, expert: 0, name: 'up_proj' }).spec!.blockSize).toBe(64);
  });

  it('without a group, gives each tensor the default of its kernel width, fitted so no block is padding', () => {
    for (const bits of [8, 4, 3, 2] as const) {
      const plan = planQuantization(MIXTRAL_640M, { bits, symmetric: true });
      for (const t of plan.tensors.filter((x) => x.spec)) {
        expect([t.key, t.spec!.blockSize]).toEqual([t.key, DEFAULT_GROUP[t.kernelBits as 8 | 4 | 2]]);
      }
      expect(modeGroup(plan.mode)).toBe(DEFAULT_GROUP[bits === 3 ? 4 : bits]);
    }
    expect(modeGroup({ bits: 4, group: 32 })).toBe(32);
    // The pretrained demo model's shape: K = 192 holds no whole block of 128, so a default of 128 drops to 64
    // (the largest power of two dividing K) rather than store 256 codes a row; K = 384 keeps 128.
    const small: MoeConfig = {
      ...MIXTRAL_640M, vocabSize: 2048, hiddenSize: 192, numLayers: 4, numHeads: 6, numKvHeads: 2, headDim: 32,
      moe: { ...MIXTRAL_640M.moe, intermediateSize: 384 }, layerKinds: Array(4).fill('moe'),
    };
    const plan = planQuantization(small, { bits: 2, symmetric: false });
    for (const t of plan.tensors.filter((x) => x.spec)) {
      const k = t.shape[1];
      expect(k % t.spec!.blockSize).toBe(0);
      expect(t.spec!.blockSize).toBeLessThanOrEqual(DEFAULT_GROUP[t.kernelBits as 8 | 4 | 2]);
      if (k % DEFAULT_GROUP[t.kernelBits as 8 | 4 | 2] !== 0) expect(t.spec!.blockSize).toBeLessThan(DEFAULT_GROUP[t.kernelBits as 8 | 4 | 2]);
    }
    expect(plannedTensorFor(plan, { kind: 'expert', layer: 1, expert: 0, name: 'down_proj' }).spec!.blockSize).toBe(128);
    expect(plannedTensorFor(plan, { kind: 'expert', layer: 1, expert: 0, name: 'up_proj' }).spec!.blockSize).toBe(64);
    // An explicit group is taken as given, padding and all.
    const given = planQuantization(small, { bits: 4, group: 128, symmetric: false });
    expect(plannedTensorFor(given, { kind: 'expert', layer: 1, expert: 0, name: 'up_proj' }).spec!.blockSize).toBe(128);
  });

  it('applies per-class overrides to every tensor of the class, and the mix respects them', () => {
    const plan = planQuantization(MIXTRAL_640M, mode(3, { overrides: { attention: 8, expert_down: 3, router: 8 } }));
    for (const t of plan.tensors) {
      if (t.cls === 'attention') expect(t.bits).toBe(8);
      if (t.cls === 'expert_down') expect([t.bits, t.kernelBits]).toEqual([3, 4]);
      if (t.cls === 'router') expect(t.bits).toBe(8);
    }
    expect(plan.averageBits).toBeLessThanOrEqual(3);
  });

  it('rejects impossible modes with a message naming the fix', () => {
    expect(() => planQuantization(MIXTRAL_640M, mode(5 as 8))).toThrow(QuantizationError);
    expect(() => planQuantization(MIXTRAL_640M, { ...mode(4), group: 100 })).toThrow(/power of two/);
    expect(() => planQuantization(MIXTRAL_640M, mode(4, { overrides: { attention: 6 as 8 } }))).toThrow(/attention/);
    expect(() => plannedTensorFor(planQuantization(MIXTRAL_640M, mode(4)), { kind: 'layer', layer: 9, name: 'q_proj' })).toThrow(
      /layers\.9\.q_proj/,
    );
  });

  it.each(['mixtral_tiny', 'qwen2_moe_tiny'])('names and shapes every tensor of the real %s checkpoint, which then quantizes', (fixture) => {
    const ckpt = openCheckpoint(path.join(MOE_FIXTURES, fixture));
    try {
      const read = (ref: WeightRef): Tensor =>
        ref.kind === 'global'
          ? ckpt.weights.global(ref.name)
          : ref.kind === 'layer'
            ? ckpt.weights.layer(ref.layer, ref.name)
            : ckpt.weights.expert(ref.layer, ref.expert, ref.name);
      const tensors = modelTensors(ckpt.config);
      if (fixture === 'qwen2_moe_tiny') {
        expect(tensors.map((t) => t.key)).toEqual(expect.arrayContaining(['layers.1.shared_expert_gate', 'layers.0.q_bias']));
      }
      const plan = planQuantization(ckpt.config, { bits: 3, group: 32, symmetric: false });
      for (const t of plan.tensors) {
        const w = read(t.ref);
        expect([t.key, ...w.shape]).toEqual([t.key, ...t.shape]);
        if (!t.spec) continue;
        const q = quantizeTensor(w, t.spec, t.key);
        const bound = { 2: 0.6, 3: 0.3, 4: 0.15, 8: 0.01 }[t.spec.bits];
        expect([t.key, weightError(w.data, q).relFrobenius < bound]).toEqual([t.key, true]);
      }
    } finally {
      ckpt.close();
    }
  });
});
