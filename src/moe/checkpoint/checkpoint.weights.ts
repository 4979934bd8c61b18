import { CheckpointError } from '../moe.errors';
import type { ExpertWeightName, GlobalWeightName, LayerWeightName, ModelWeights, Tensor } from '../model/model-weights';
import type { MoeConfig } from '../model/moe-config';
import type { TensorNaming } from './architecture.importer';
import { SafetensorsCheckpoint } from './safetensors.reader';

/** Where a canonical weight lives: a whole tensor, or a contiguous slice of a packed expert tensor. */
interface Located {
  readonly tensor: string;
  readonly shape: readonly number[];
  /** Element range inside the stored tensor; absent for a whole tensor. */
  readonly slice?: { first: number; count: number };
}

const GLOBAL_NAMES: Record<GlobalWeightName, string[]> = {
  embed_tokens: ['model.embed_tokens.weight'],
  final_norm: ['model.norm.weight'],
  lm_head: ['lm_head.weight'],
};

/**
 * ModelWeights over a safetensors checkpoint: canonical names are resolved to whichever spelling
 * this checkpoint uses (packed or per-expert experts, `mlp` or `block_sparse_moe`), shapes are
 * checked against the config, and data is read from disk only when a tensor is asked for.
 */
export class CheckpointWeights implements ModelWeights {
  private readonly located = new Map<string, Located | null>();

  constructor(
    readonly config: MoeConfig,
    readonly checkpoint: SafetensorsCheckpoint,
    private readonly naming: TensorNaming,
  ) {}

  global(name: GlobalWeightName): Tensor {
    if (name === 'lm_head' && !this.checkpoint.has('lm_head.weight')) {
      if (!this.config.tieWordEmbeddings) throw this.missing('lm_head.weight', 'lm_head (tie_word_embeddings is false)');
      return this.global('embed_tokens');
    }
    return this.readLocated(this.find(`global:${name}`, GLOBAL_NAMES[name], this.globalShape(name)));
  }

  layer(layer: number, name: LayerWeightName): Tensor {
    const found = this.locateLayer(layer, name);
    if (!found) throw this.missing(this.layerCandidates(layer, name)[0], `layer ${layer} ${name}`);
    return this.readLocated(found);
  }

  hasLayer(layer: number, name: LayerWeightName): boolean {
    return this.locateLayer(layer, name) !== null;
  }

  expert(layer: number, expert: number, name: ExpertWeightName): Tensor {
    if (expert < 0 || expert >= this.config.moe.numExperts) {
      throw new CheckpointError(`expert ${expert} does not exist: the model has ${this.config.moe.numExperts} experts`);
    }
    return this.readLocated(this.locateExpert(layer, expert, name));
  }

  /**
   * Checks from the headers alone (no tensor data is read) that every weight the config needs is
   * present with the right shape, so a broken checkpoint fails at import rather than mid-generation.
   */
  validate(): void {
    this.checkShape(this.find('global:embed_tokens', GLOBAL_NAMES.embed_tokens, this.globalShape('embed_tokens')));
    this.checkShape(this.find('global:final_norm', GLOBAL_NAMES.final_norm, this.globalShape('final_norm')));
    if (this.checkpoint.has('lm_head.weight') || !this.config.tieWordEmbeddings) {
      if (!this.checkpoint.has('lm_head.weight')) throw this.missing('lm_head.weight', 'lm_head (tie_word_embeddings is false)');
      this.checkShape(this.find('global:lm_head', GLOBAL_NAMES.lm_head, this.globalShape('lm_head')));
    }
    for (let layer = 0; layer < this.config.numLayers; layer++) {
      for (const name of this.requiredLayerNames(layer)) {
        const found = this.locateLayer(layer, name);
        if (!found) throw this.missing(this.layerCandidates(layer, name)[0], `layer ${layer} ${name}`);
        this.checkShape(found);
      }
      if (this.config.layerKinds[layer] !== 'moe') continue;
      for (let expert = 0; expert < this.config.moe.numExperts; expert++) {
        for (const name of ['gate_proj', 'up_proj', 'down_proj'] as const) this.checkShape(this.locateExpert(layer, expert, name));
      }
    }
  }

  close(): void {
    this.checkpoint.close();
  }

  requiredLayerNames(layer: number): LayerWeightName[] {
    const c = this.config;
    const names: LayerWeightName[] = ['input_norm', 'post_attention_norm', 'q_proj', 'k_proj', 'v_proj', 'o_proj'];
    if (c.attentionBias) names.push('q_bias', 'k_bias', 'v_bias');
    if (c.qkNorm) names.push('q_norm', 'k_norm');
    if (c.layerKinds[layer] === 'dense') {
      names.push('dense_gate_proj', 'dense_up_proj', 'dense_down_proj');
    } else {
      names.push('router');
      if (c.moe.sharedExpert) names.push('shared_gate_proj', 'shared_up_proj', 'shared_down_proj');
      if (c.moe.sharedExpert?.gated) names.push('shared_expert_gate');
    }
    return names;
  }

  private globalShape(name: GlobalWeightName): number[] {
    return name === 'final_norm' ? [this.config.hiddenSize] : [this.config.vocabSize, this.config.hiddenSize];
  }

  private layerShape(name: LayerWeightName): number[] {
    const c = this.config;
    const d = c.hiddenSize;
    const q = c.numHeads * c.headDim;
    const kv = c.numKvHeads * c.headDim;
    const shared = c.moe.sharedExpert?.intermediateSize ?? 0;
    const dense = c.denseIntermediateSize;
    const shapes: Record<LayerWeightName, number[]> = {
      input_norm: [d],
      post_attention_norm: [d],
      q_proj: [q, d],
      k_proj: [kv, d],
      v_proj: [kv, d],
      o_proj: [d, q],
      q_bias: [q],
      k_bias: [kv],
      v_bias: [kv],
      q_norm: [c.qkNorm === 'full' ? q : c.headDim],
      k_norm: [c.qkNorm === 'full' ? kv : c.headDim],
      router: [c.moe.numExperts, d],
      shared_gate_proj: [shared, d],
      shared_up_proj: [shared, d],
      shared_down_proj: [d, shared],
      shared_expert_gate: [1, d],
      dense_gate_proj: [dense, d],
      dense_up_proj: [dense, d],
      dense_down_proj: [d, dense],
    };
    return shapes[name];
  }

  private layerCandidates(layer: number, name: LayerWeightName): string[] {
    const p = `model.layers.${layer}.`;
    const attn = (proj: string, part: string) => [`${p}self_attn.${proj}.${part}`];
    const shared = (proj: string) => this.naming.sharedExperts.map((s) => `${p}${s}.${proj}.weight`);
    const table: Record<LayerWeightName, string[]> = {
      input_norm: [`${p}input_layernorm.weight`],
      post_attention_norm: [`${p}post_attention_layernorm.weight`],
      q_proj: attn('q_proj', 'weight'),
      k_proj: attn('k_proj', 'weight'),
      v_proj: attn('v_proj', 'weight'),
      o_proj: attn('o_proj', 'weight'),
      q_bias: attn('q_proj', 'bias'),
      k_bias: attn('k_proj', 'bias'),
      v_bias: attn('v_proj', 'bias'),
      q_norm: attn('q_norm', 'weight'),
      k_norm: attn('k_norm', 'weight'),
      router: this.naming.moeBlocks.map((b) => `${p}${b}.gate.weight`),
      shared_gate_proj: shared('gate_proj'),
      shared_up_proj: shared('up_proj'),
      shared_down_proj: shared('down_proj'),
      shared_expert_gate: [`${p}mlp.shared_expert_gate.weight`],
      dense_gate_proj: [`${p}mlp.gate_proj.weight`],
      dense_up_proj: [`${p}mlp.up_proj.weight`],
      dense_down_proj: [`${p}mlp.down_proj.weight`],
    };
    return table[name];
  }

  private locateLayer(layer: number, name: LayerWeightName): Located | null {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.config.numLayers) {
      throw new CheckpointError(`layer ${layer} does not exist: the model has ${this.config.numLayers} layers`);
    }
    return this.find(`${layer}:${name}`, this.layerCandidates(layer, name), this.layerShape(name), true);
  }

  /** Per-expert tensors first, then the packed `[E, ...]` forms of transformers 5. */
  private locateExpert(layer: number, expert: number, name: ExpertWeightName): Located {
    const key = `${layer}:${expert}:${name}`;
    const cached = this.located.get(key);
    if (cached) return cached;
    const { hiddenSize: d, moe } = this.config;
    const f = moe.intermediateSize;
    const shape = name === 'down_proj' ? [d, f] : [f, d];
    const p = `model.layers.${layer}.`;
    const spellings = name === 'gate_proj' ? this.naming.expertGate : name === 'up_proj' ? this.naming.expertUp : this.naming.expertDown;
    const perExpert = this.naming.moeBlocks.flatMap((b) => spellings.map((s) => `${p}${b}.experts.${expert}.${s}.weight`));
    let found: Located | null = this.find(key, perExpert, shape, true);
    for (const block of this.naming.moeBlocks) {
      if (found) break;
      const base = `${p}${block}.experts.`;
      if (name !== 'down_proj' && this.checkpoint.has(`${base}gate_up_proj`)) {
        const tensor = `${base}gate_up_proj`;
        this.checkStoredShape(tensor, [moe.numExperts, 2 * f, d]);
        const first = expert * 2 * f * d + (name === 'up_proj' ? f * d : 0);
        found = { tensor, shape, slice: { first, count: f * d } };
      } else if (this.checkpoint.has(`${base}${name}`)) {
        const tensor = `${base}${name}`;
        this.checkStoredShape(tensor, [moe.numExperts, ...shape]);
        found = { tensor, shape, slice: { first: expert * f * d, count: f * d } };
      }
    }
    if (!found) throw this.missing(perExpert[0], `layer ${layer} expert ${expert} ${name} (nor a packed ${p}${this.naming.moeBlocks[0]}.experts.gate_up_proj)`);
    this.located.set(key, found);
    return found;
  }

  private find(key: string, candidates: readonly string[], shape: number[], optional?: false): Located;
  private find(key: string, candidates: readonly string[], shape: number[], optional: true): Located | null;
  private find(key: string, candidates: readonly string[], shape: number[], optional = false): Located | null {
    if (this.located.has(key)) return this.located.get(key)!;
    const tensor = candidates.find((c) => this.checkpoint.has(c));
    if (!tensor && !optional) throw this.missing(candidates[0], key.replace(':', ' '));
    const found = tensor ? { tensor, shape } : null;
    this.located.set(key, found);
    return found;
  }

  private readLocated(found: Located): Tensor {
    this.checkShape(found);
    if (!found.slice) return { shape: found.shape, data: this.checkpoint.read(found.tensor).data };
    return { shape: found.shape, data: this.checkpoint.readElements(found.tensor, found.slice.first, found.slice.count) };
  }

  private checkShape(found: Located): void {
    if (!found.slice) this.checkStoredShape(found.tensor, found.shape);
  }

  private checkStoredShape(tensor: string, expected: readonly number[]): void {
    const stored = this.checkpoint.entry(tensor).shape;
    if (stored.length !== expected.length || stored.some((d, i) => d !== expected[i])) {
      throw new CheckpointError(
        `tensor ${tensor} in ${this.checkpoint.fileOf(tensor).path} has shape [${stored.join(', ')}] but the config ` +
          `(hidden ${this.config.hiddenSize}, heads ${this.config.numHeads}/${this.config.numKvHeads}, experts ${this.config.moe.numExperts}) needs [${expected.join(', ')}]`,
      );
    }
  }

  private missing(tensor: string, what: string): CheckpointError {
    return new CheckpointError(`tensor ${tensor} (${what}) is missing from the checkpoint at ${this.checkpoint.dir}`);
  }
}
