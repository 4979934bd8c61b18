/**
 * Mulberry32 over a raw 32-bit seed: uniform in [0, 1), the same numbers on every platform. For
 * callers that need a plain stream (seeded sampling of questions, test weights, LoRA initialisation).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small deterministic generator (SplitMix32 seeding a Mulberry32-style stream): the same seed gives
 * the same numbers on every platform, which random checkpoints and seeded sampling both rely on.
 */
export class SeededRandom {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = mix32(seed >>> 0 || 0x9e3779b9);
  }

  /** Derives a stream from a seed and a label, so each tensor's values do not depend on write order. */
  static forLabel(seed: number, label: string): SeededRandom {
    let h = seed >>> 0;
    for (let i = 0; i < label.length; i++) h = mix32(h ^ label.charCodeAt(i));
    return new SeededRandom(h);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller; each pair of uniforms gives two normals). */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

function mix32(x: number): number {
  x = (x + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
