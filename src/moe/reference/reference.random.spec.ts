import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCheckpoint } from '../checkpoint/checkpoint.loader';
import { writeSafetensors } from '../checkpoint/safetensors.writer';
import { createRandomCheckpoint, RandomArchitecture } from '../random/random-checkpoint';
import { SeededRandom } from '../random/seeded-random';
import { ReferenceCausalLm } from './reference.model';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-ref-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const IDS = [5, 17, 250, 3, 99, 42, 7, 301, 11];

/** DeepSeek-MoE has no random writer of its own: one dense first layer, then MoE with 2 shared experts. */
function writeDeepseek(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const d = 32;
  const config = {
    architectures: ['DeepseekForCausalLM'], vocab_size: 320, hidden_size: d, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 4,
    n_routed_experts: 6, num_experts_per_tok: 2, moe_intermediate_size: 8, n_shared_experts: 2, first_k_dense_replace: 1, moe_layer_freq: 1,
    intermediate_size: 48, norm_topk_prob: false, rms_norm_eps: 1e-6, eos_token_id: 1,
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const random = new SeededRandom(7);
  const t = (name: string, shape: number[], mean = 0, scale = 1 / Math.sqrt(shape[shape.length - 1])) => ({
    name, shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => mean + scale * random.normal()),
  });
  const tensors = [t('model.embed_tokens.weight', [320, d], 0, 1), t('model.norm.weight', [d], 1, 0.1), t('lm_head.weight', [320, d])];
  for (let l = 0; l < 3; l++) {
    const p = `model.layers.${l}.`;
    tensors.push(t(`${p}input_layernorm.weight`, [d], 1, 0.1), t(`${p}post_attention_layernorm.weight`, [d], 1, 0.1));
    for (const proj of ['q', 'k', 'v', 'o']) tensors.push(t(`${p}self_attn.${proj}_proj.weight`, [d, d]));
    if (l === 0) {
      tensors.push(t(`${p}mlp.gate_proj.weight`, [48, d]), t(`${p}mlp.up_proj.weight`, [48, d]), t(`${p}mlp.down_proj.weight`, [d, 48]));
      continue;
    }
    tensors.push(t(`${p}mlp.gate.weight`, [6, d], 0, 0.5));
    for (let e = 0; e < 6; e++) {
      tensors.push(t(`${p}mlp.experts.${e}.gate_proj.weight`, [8, d]), t(`${p}mlp.experts.${e}.up_proj.weight`, [8, d]), t(`${p}mlp.experts.${e}.down_proj.weight`, [d, 8]));
    }
    tensors.push(t(`${p}mlp.shared_experts.gate_proj.weight`, [16, d]), t(`${p}mlp.shared_experts.up_proj.weight`, [16, d]), t(`${p}mlp.shared_experts.down_proj.weight`, [d, 16]));
  }
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
}

function checkpointFor(arch: RandomArchitecture | 'deepseek'): string {
  const dir = path.join(root, arch);
  if (fs.existsSync(dir)) return dir;
  if (arch === 'deepseek') writeDeepseek(dir);
  else {
    createRandomCheckpoint(dir, {
      arch, layers: 3, hidden: 32, intermediate: 24, experts: 6, topK: 2, heads: 4, kvHeads: 2, vocab: 320, seed: 11,
      denseLayers: arch === 'qwen3_moe' ? [1] : undefined,
    });
  }
  return dir;
}

function open(arch: RandomArchitecture | 'deepseek'): ReferenceCausalLm {
  const checkpoint = openCheckpoint(checkpointFor(arch));
  return new ReferenceCausalLm(checkpoint.config, checkpoint.weights);
}

const ARCHS = ['mixtral', 'qwen2_moe', 'qwen3_moe', 'olmoe', 'deepseek'] as const;

describe.each(ARCHS)('reference pass on a random %s checkpoint', (arch) => {
  it('imports and runs, giving finite, position-dependent logits', async () => {
    const model = open(arch);
    const logits = await model.forward(IDS, { allLogits: true });
    const vocab = model.config.vocabSize;
    expect(logits.length).toBe(IDS.length * vocab);
    expect(logits.every(Number.isFinite)).toBe(true);
    expect(logits.slice(0, vocab)).not.toEqual(logits.slice(vocab, 2 * vocab));
    expect(model.cachedLength).toBe(IDS.length);
    await model.dispose();
  });

  it('decodes with the KV cache exactly as full recomputation', async () => {
    const full = open(arch);
    const expected = await full.forward(IDS, { allLogits: true });
    const cached = open(arch);
    const vocab = cached.config.vocabSize;
    const prefix = 4;
    const prefill = await cached.forward(IDS.slice(0, prefix), { allLogits: true });
    let worst = maxDiff(prefill, expected.slice(0, prefix * vocab));
    for (let t = prefix; t < IDS.length; t++) {
      const step = await cached.forward([IDS[t]]);
      worst = Math.max(worst, maxDiff(step, expected.slice(t * vocab, (t + 1) * vocab)));
    }
    expect(worst).toBeLessThan(1e-5);
    cached.reset();
    expect(cached.cachedLength).toBe(0);
    expect(maxDiff(await cached.forward(IDS), expected.slice(-vocab))).toBeLessThan(1e-5);
    await full.dispose();
    await cached.dispose();
  });

  it('runs each token only through the experts its router picked', async () => {
    const model = open(arch);
    await model.forward(IDS.slice(0, 5));
    await model.forward(IDS.slice(5));
    const { routing, calls } = model.counter;
    const moeLayers = model.config.layerKinds.filter((k) => k === 'moe').length;
    expect(routing.length).toBe(IDS.length * moeLayers);
    const picked = new Set<string>();
    for (const r of routing) {
      // The top-k of the recorded router logits, recomputed here independently of the router code.
      const order = Array.from(r.routerLogits.keys()).sort((a, b) => r.routerLogits[b] - r.routerLogits[a]);
      expect([...r.experts].sort()).toEqual(order.slice(0, model.config.moe.topK).sort());
      for (const e of r.experts) picked.add(`${r.layer}/${r.position}/${e}`);
    }
    const ran = calls.flatMap((c) => c.positions.map((p) => `${c.layer}/${p}/${c.expert}`));
    expect(ran.length).toBe(new Set(ran).size);
    expect(new Set(ran)).toEqual(picked);
    expect(calls.every((c) => model.config.layerKinds[c.layer] === 'moe')).toBe(true);
    // Dense compute would run every expert on every token: 6 experts × 9 tokens per MoE layer.
    expect(ran.length).toBe(IDS.length * model.config.moe.topK * moeLayers);
    await model.dispose();
  });
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
