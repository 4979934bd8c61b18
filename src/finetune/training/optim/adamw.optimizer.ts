import { TrainingOptionsError } from '../training.errors';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (Loshchilov & Hutter): θ -= lr·λ·θ, separate from the adaptive step. */
  weightDecay?: number;
}

/**
 * AdamW over named float32 tensors, updated in place. Moments are kept in float64 so long runs do not
 * drift; the step count is shared, as in PyTorch's torch.optim.AdamW with bias correction.
 */
export class AdamWOptimizer {
  private readonly m = new Map<string, Float64Array>();
  private readonly v = new Map<string, Float64Array>();
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;

  constructor(options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    for (const [k, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new TrainingOptionsError(`AdamW ${k} must be in [0, 1), got ${b}`);
    }
    if (!(this.eps > 0)) throw new TrainingOptionsError(`AdamW eps must be positive, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new TrainingOptionsError(`weight decay must be >= 0, got ${this.weightDecay}`);
  }

  get stepCount(): number {
    return this.t;
  }

  step(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, lr: number): void {
    if (!(lr >= 0)) throw new TrainingOptionsError(`learning rate must be >= 0, got ${lr}`);
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g || g.length !== p.length) throw new TrainingOptionsError(`no gradient of the right size for ${name}`);
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (!m || !v) {
        m = new Float64Array(p.length);
        v = new Float64Array(p.length);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      const decay = 1 - lr * this.weightDecay;
      for (let i = 0; i < p.length; i++) {
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * g[i];
        v[i] = this.beta2 * v[i] + (1 - this.beta2) * g[i] * g[i];
        p[i] = p[i] * decay - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + this.eps);
      }
    }
  }

  /** Moments and step count, for checkpoints. */
  state(): { step: number; m: Map<string, Float64Array>; v: Map<string, Float64Array> } {
    return { step: this.t, m: this.m, v: this.v };
  }
}
