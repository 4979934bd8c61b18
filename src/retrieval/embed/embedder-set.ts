import type { Embedder } from './embedder';

/**
 * The embedders this process can run, by id. `primary` is the one new knowledge bases use
 * (RETRIEVAL_EMBEDDER_DIR's encoder when configured, else the built-in default); the others stay
 * available so knowledge bases embedded with them keep working and can be switched back.
 */
export class EmbedderSet {
  private readonly byId = new Map<string, Embedder>();

  constructor(
    readonly primary: Embedder,
    others: readonly Embedder[] = [],
  ) {
    for (const e of [primary, ...others]) if (!this.byId.has(e.id)) this.byId.set(e.id, e);
  }

  get(id: string): Embedder | undefined {
    return this.byId.get(id);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  async dispose(): Promise<void> {
    for (const e of this.byId.values()) await e.dispose?.();
  }
}
