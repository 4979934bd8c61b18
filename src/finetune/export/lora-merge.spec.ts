import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRandomCheckpoint, mulberry32, openCheckpoint, ReferenceCausalLm, writeSafetensors, type SafetensorsWriteEntry } from '../../moe';
import { SafetensorsFile } from '../../moe/checkpoint/safetensors.reader';
import { baseParameterValues, IGNORE_INDEX, initLoraParameters, LoraStepRunner, type LoraOptions } from '../training';
import { AdapterError } from './export.errors';
import { adapterFromTraining, transpose } from './lora-adapter';
import { baseTensorsOf, mergeAdapter } from './lora-merge';
import { locateSite, siteOfModule } from './lora-sites';
import { readPeftAdapter, writePeftAdapter } from './peft-adapter';

const LORA: LoraOptions = { rank: 4, alpha: 8, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] };
const [B, S, VOCAB] = [2, 8, 300];

describe('PEFT adapter export and merge', () => {
  let dir: string;
  let base: string;
  let values: Map<string, Float32Array>;
  let runner: LoraStepRunner;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-merge-'));
    base = path.join(dir, 'base');
    createRandomCheckpoint(base, { arch: 'mixtral', layers: 2, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: VOCAB, seed: 3 });
    const ckpt = openCheckpoint(base);
    runner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S });
    ckpt.close();
    // B is zero at initialisation; give it values so the merge has something to add.
    values = initLoraParameters(runner.params, 7);
    const rand = mulberry32(11);
    for (const [name, v] of values) if (name.endsWith('.B')) for (let i = 0; i < v.length; i++) v[i] = (rand() * 2 - 1) * 0.3;
  });
  afterAll(async () => {
    await runner.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const adapterOf = () => {
    const ckpt = openCheckpoint(base);
    try {
      return adapterFromTraining(baseTensorsOf(ckpt), { rank: LORA.rank, alpha: LORA.alpha, values }, 'tiny-mixtral');
    } finally {
      ckpt.close();
    }
  };

  it('writes PEFT names, shapes and config: lora_A [r, in] and lora_B [out, r] are our A and B transposed', () => {
    const out = path.join(dir, 'adapter');
    writePeftAdapter(out, adapterOf());
    const config = JSON.parse(fs.readFileSync(path.join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, lora_dropout: 0, base_model_name_or_path: 'tiny-mixtral' });
    expect(config.target_modules).toEqual(['k_proj', 'o_proj', 'q_proj', 'v_proj', 'w1', 'w2', 'w3']);
    const file = SafetensorsFile.open(path.join(out, 'adapter_model.safetensors'));
    try {
      expect(file.entries.size).toBe(2 * (4 + 4 * 3) * 2);
      const qa = file.read('base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight');
      expect(qa.shape).toEqual([4, 32]);
      expect(Array.from(qa.data)).toEqual(Array.from(transpose(values.get('lora.layers.1.self_attn.q_proj.A')!, 32, 4)));
      const down = file.read('base_model.model.model.layers.0.block_sparse_moe.experts.3.w2.lora_B.weight');
      expect(down.shape).toEqual([32, 4]);
      expect(Array.from(down.data)).toEqual(Array.from(transpose(values.get('lora.layers.0.experts.3.down_proj.B')!, 4, 32)));
      expect(file.read('base_model.model.model.layers.0.block_sparse_moe.experts.0.w1.lora_A.weight').shape).toEqual([4, 32]);
    } finally {
      file.close();
    }
  });

  it('export then import merges to the same weights, and the merged model computes the LoRA training graph\'s loss', async () => {
    const direct = mergeAdapter(base, path.join(dir, 'merged-direct'), adapterOf());
    expect(direct.mergedTensors).toBe(2 * (4 + 4 * 3));
    const exported = path.join(dir, 'adapter-rt');
    writePeftAdapter(exported, adapterOf());
    const ckpt = openCheckpoint(base);
    const imported = readPeftAdapter(exported, baseTensorsOf(ckpt));
    ckpt.close();
    mergeAdapter(base, path.join(dir, 'merged-import'), imported);
    const a = SafetensorsFile.open(path.join(dir, 'merged-direct', 'model.safetensors'));
    const b = SafetensorsFile.open(path.join(dir, 'merged-import', 'model.safetensors'));
    const original = SafetensorsFile.open(path.join(base, 'model.safetensors'));
    try {
      expect([...b.entries.keys()]).toEqual([...original.entries.keys()]);
      for (const name of a.entries.keys()) expect(Buffer.from(b.read(name).data.buffer).equals(Buffer.from(a.read(name).data.buffer))).toBe(true);
      const q = 'model.layers.0.self_attn.q_proj.weight';
      expect(Array.from(a.read(q).data)).not.toEqual(Array.from(original.read(q).data));
      expect(Array.from(a.read('model.norm.weight').data)).toEqual(Array.from(original.read('model.norm.weight').data));
    } finally {
      a.close();
      b.close();
      original.close();
    }
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) expect(fs.existsSync(path.join(dir, 'merged-import', f))).toBe(true);

    const rand = mulberry32(5);
    const ids = Array.from({ length: B * S }, () => 3 + Math.floor(rand() * (VOCAB - 3)));
    const labels = ids.map((_, i) => (i % S < 2 || i % S === S - 1 ? IGNORE_INDEX : ids[i + 1]));
    const graphLoss = (await runner.step({ inputIds: ids, labels }, values)).loss;
    const mergedLoss = await referenceLoss(path.join(dir, 'merged-import'), ids, labels);
    const baseLoss = await referenceLoss(base, ids, labels);
    expect(Math.abs(mergedLoss - graphLoss) / graphLoss).toBeLessThan(1e-4);
    // The check can fail: without the adapter the loss is elsewhere.
    expect(Math.abs(baseLoss - graphLoss) / graphLoss).toBeGreaterThan(1e-3);
  });

  it('a trained router travels as a PEFT module to save and replaces the base router in the merge', async () => {
    const ckpt = openCheckpoint(base);
    const routed = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S, base: 'router' });
    const trainedValues = new Map([...values, ...baseParameterValues(ckpt.weights, routed.base)]);
    const rand = mulberry32(21);
    for (const p of routed.base) {
      const v = trainedValues.get(p.name)!;
      for (let i = 0; i < v.length; i++) v[i] += (rand() * 2 - 1) * 0.5;
    }
    try {
      const adapter = adapterFromTraining(baseTensorsOf(ckpt), { rank: LORA.rank, alpha: LORA.alpha, values: trainedValues, base: routed.base }, 'tiny-mixtral');
      expect(adapter.replaced.map((r) => r.tensor)).toEqual(['model.layers.0.block_sparse_moe.gate.weight', 'model.layers.1.block_sparse_moe.gate.weight']);
      const out = path.join(dir, 'adapter-router');
      writePeftAdapter(out, adapter);
      expect(JSON.parse(fs.readFileSync(path.join(out, 'adapter_config.json'), 'utf8')).modules_to_save).toEqual(['gate']);
      const back = readPeftAdapter(out, baseTensorsOf(ckpt));
      expect(back.replaced).toHaveLength(2);
      mergeAdapter(base, path.join(dir, 'merged-router'), back);

      const rand2 = mulberry32(6);
      const ids = Array.from({ length: B * S }, () => 3 + Math.floor(rand2() * (VOCAB - 3)));
      const labels = ids.map((_, i) => (i % S < 2 || i % S === S - 1 ? IGNORE_INDEX : ids[i + 1]));
      const graphLoss = (await routed.step({ inputIds: ids, labels }, trainedValues)).loss;
      const mergedLoss = await referenceLoss(path.join(dir, 'merged-router'), ids, labels);
      expect(Math.abs(mergedLoss - graphLoss) / graphLoss).toBeLessThan(1e-4);
    } finally {
      await routed.dispose();
      ckpt.close();
    }
  });

  it('merges into packed experts (transformers 5 layout) by element offset, and says PEFT cannot address them', async () => {
    // The same weights with every layer's experts packed: gate_up_proj [E, 2f, d] (gate rows, then up), down_proj [E, d, f].
    const packed = path.join(dir, 'packed');
    fs.mkdirSync(packed);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(base, f), path.join(packed, f));
    const source = SafetensorsFile.open(path.join(base, 'model.safetensors'));
    const entries: SafetensorsWriteEntry[] = [];
    const [E, f, d] = [4, 48, 32];
    for (const name of source.entries.keys()) if (!name.includes('.experts.')) entries.push({ name, shape: source.entry(name).shape, data: source.read(name).data });
    for (let l = 0; l < 2; l++) {
      const p = `model.layers.${l}.block_sparse_moe.experts`;
      const gateUp = new Float32Array(E * 2 * f * d);
      const down = new Float32Array(E * d * f);
      for (let e = 0; e < E; e++) {
        gateUp.set(source.read(`${p}.${e}.w1.weight`).data, e * 2 * f * d);
        gateUp.set(source.read(`${p}.${e}.w3.weight`).data, e * 2 * f * d + f * d);
        down.set(source.read(`${p}.${e}.w2.weight`).data, e * d * f);
      }
      entries.push({ name: `${p}.gate_up_proj`, shape: [E, 2 * f, d], data: gateUp }, { name: `${p}.down_proj`, shape: [E, d, f], data: down });
    }
    source.close();
    writeSafetensors(path.join(packed, 'model.safetensors'), entries);

    const ckpt = openCheckpoint(packed);
    let adapter;
    try {
      adapter = adapterFromTraining(baseTensorsOf(ckpt), { rank: LORA.rank, alpha: LORA.alpha, values }, 'packed');
    } finally {
      ckpt.close();
    }
    expect(adapter.modules.filter((m) => m.site.module === null)).toHaveLength(2 * 4 * 3);
    expect(() => writePeftAdapter(path.join(dir, 'adapter-packed'), adapter)).toThrow(/packs every expert in one tensor/);
    mergeAdapter(packed, path.join(dir, 'merged-packed'), adapter);

    const rand = mulberry32(8);
    const ids = Array.from({ length: B * S }, () => 3 + Math.floor(rand() * (VOCAB - 3)));
    const labels = ids.map((_, i) => (i % S < 2 || i % S === S - 1 ? IGNORE_INDEX : ids[i + 1]));
    const graphLoss = (await runner.step({ inputIds: ids, labels }, values)).loss;
    expect(Math.abs((await referenceLoss(path.join(dir, 'merged-packed'), ids, labels)) - graphLoss) / graphLoss).toBeLessThan(1e-4);
  });

  it.each(['qwen2_moe', 'qwen3_moe', 'olmoe'] as const)('exports and merges %s (its own module names, shared expert and dense layer adapted too)', async (arch) => {
    const other = path.join(dir, `base-${arch}`);
    createRandomCheckpoint(other, { arch, layers: 2, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: VOCAB, seed: 4, ...(arch === 'qwen2_moe' ? { denseLayers: [1] } : {}) });
    const ckpt = openCheckpoint(other);
    const archRunner = await LoraStepRunner.create(ckpt.config, ckpt.weights, { lora: LORA, batch: B, seqLen: S });
    try {
      const archValues = initLoraParameters(archRunner.params, 7);
      const rand = mulberry32(12);
      for (const [name, v] of archValues) if (name.endsWith('.B')) for (let i = 0; i < v.length; i++) v[i] = (rand() * 2 - 1) * 0.3;
      const adapterDir = path.join(dir, `adapter-${arch}`);
      writePeftAdapter(adapterDir, adapterFromTraining(baseTensorsOf(ckpt), { rank: LORA.rank, alpha: LORA.alpha, values: archValues }, arch));
      const file = SafetensorsFile.open(path.join(adapterDir, 'adapter_model.safetensors'));
      expect(file.has('base_model.model.model.layers.0.mlp.experts.2.gate_proj.lora_A.weight')).toBe(true);
      if (arch === 'qwen2_moe') {
        // The checkpoint's own module names: layer 0's shared expert, layer 1's dense MLP.
        expect(file.read('base_model.model.model.layers.0.mlp.shared_expert.gate_proj.lora_A.weight').shape).toEqual([4, 32]);
        expect(file.read('base_model.model.model.layers.0.mlp.shared_expert.down_proj.lora_B.weight').shape).toEqual([32, 4]);
        expect(file.read('base_model.model.model.layers.1.mlp.up_proj.lora_B.weight').shape).toEqual([48, 4]);
        expect(file.has('base_model.model.model.layers.1.mlp.shared_expert.up_proj.lora_A.weight')).toBe(false);
      }
      file.close();
      const targets = JSON.parse(fs.readFileSync(path.join(adapterDir, 'adapter_config.json'), 'utf8')).target_modules;
      expect(targets).toEqual(['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj']);
      const merged = path.join(dir, `merged-${arch}`);
      const imported = readPeftAdapter(adapterDir, baseTensorsOf(ckpt));
      const owners = new Set(imported.modules.map((m) => m.site.owner.replace(/\d+$/, 'E')));
      expect([...owners].sort()).toEqual(arch === 'qwen2_moe' ? ['experts.E', 'mlp', 'self_attn', 'shared_expert'] : ['experts.E', 'self_attn']);
      mergeAdapter(other, merged, imported);
      const rand2 = mulberry32(9);
      const ids = Array.from({ length: B * S }, () => 3 + Math.floor(rand2() * (VOCAB - 3)));
      const labels = ids.map((_, i) => (i % S < 2 || i % S === S - 1 ? IGNORE_INDEX : ids[i + 1]));
      const graphLoss = (await archRunner.step({ inputIds: ids, labels }, archValues)).loss;
      expect(Math.abs((await referenceLoss(merged, ids, labels)) - graphLoss) / graphLoss).toBeLessThan(1e-4);
    } finally {
      await archRunner.dispose();
      ckpt.close();
    }
  });

  it('names DeepSeek\'s shared experts and dense MLPs as its checkpoint does, and refuses a dense MLP on a MoE layer', () => {
    const other = path.join(dir, 'base-names');
    createRandomCheckpoint(other, { arch: 'qwen2_moe', layers: 2, hidden: 32, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: VOCAB, seed: 4 });
    const ckpt = openCheckpoint(other);
    try {
      const config = { ...ckpt.config, denseIntermediateSize: 40, moe: { ...ckpt.config.moe, sharedExpert: { intermediateSize: 96, gated: false } } };
      const names = new Set(['model.layers.0.mlp.shared_experts.down_proj.weight', 'model.layers.1.mlp.gate_proj.weight']);
      const deepseek = { config, has: (n: string) => names.has(n) };
      const shared = locateSite(deepseek, 0, 'shared_expert', 'down_proj');
      expect(shared).toMatchObject({ module: 'model.layers.0.mlp.shared_experts.down_proj', out: 32, in: 96, owner: 'shared_expert', expert: null });
      expect(siteOfModule(deepseek, 'model.layers.0.mlp.shared_experts.down_proj')).toEqual(shared);
      expect(siteOfModule(deepseek, 'model.layers.1.mlp.gate_proj')).toMatchObject({ owner: 'mlp', out: 40, in: 32 });
      expect(() => siteOfModule(deepseek, 'model.layers.0.mlp.up_proj')).toThrow(/no dense MLP model\.layers\.0\.mlp\.up_proj\.weight/);
    } finally {
      ckpt.close();
    }
  });

  it('refuses an adapter for another base, DoRA, and a folder without weights', () => {
    const other = path.join(dir, 'other');
    createRandomCheckpoint(other, { arch: 'mixtral', layers: 2, hidden: 64, intermediate: 48, experts: 4, topK: 2, heads: 4, kvHeads: 2, vocab: VOCAB, seed: 3 });
    const exported = path.join(dir, 'adapter-bad');
    writePeftAdapter(exported, adapterOf());
    const ckpt = openCheckpoint(other);
    try {
      expect(() => readPeftAdapter(exported, baseTensorsOf(ckpt))).toThrow(/do not fit the base's \[\d+, 64\]/);
      const cfgPath = path.join(exported, 'adapter_config.json');
      fs.writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(cfgPath, 'utf8')), use_dora: true }));
      expect(() => readPeftAdapter(exported, baseTensorsOf(ckpt))).toThrow(/DoRA/);
      fs.rmSync(path.join(exported, 'adapter_model.safetensors'));
      expect(() => readPeftAdapter(exported, baseTensorsOf(ckpt))).toThrow(AdapterError);
    } finally {
      ckpt.close();
    }
  });
});

/** Mean cross-entropy of the reference forward pass over labelled positions, one sequence at a time. */
async function referenceLoss(checkpointDir: string, ids: number[], labels: number[]): Promise<number> {
  const ckpt = openCheckpoint(checkpointDir);
  const lm = new ReferenceCausalLm(ckpt.config, ckpt.weights);
  let total = 0;
  let count = 0;
  try {
    for (let row = 0; row < B; row++) {
      lm.reset();
      const logits = await lm.forward(ids.slice(row * S, (row + 1) * S), { allLogits: true });
      for (let t = 0; t < S; t++) {
        const label = labels[row * S + t];
        if (label === IGNORE_INDEX) continue;
        const z = logits.subarray(t * VOCAB, (t + 1) * VOCAB);
        let max = -Infinity;
        for (const v of z) max = Math.max(max, v);
        let sum = 0;
        for (const v of z) sum += Math.exp(v - max);
        total += -(z[label] - max - Math.log(sum));
        count++;
      }
    }
  } finally {
    await lm.dispose();
  }
  return total / count;
}
