/** One token's routing at one layer, as the router decided it. */
export interface RoutingRecord {
  readonly layer: number;
  /** Absolute position of the token in the sequence. */
  readonly position: number;
  readonly routerLogits: Float32Array;
  readonly experts: readonly number[];
}

/** One expert FFN invocation over the token rows routed to it. */
export interface ExpertCallRecord {
  readonly layer: number;
  readonly expert: number;
  readonly positions: readonly number[];
}

/**
 * Records what the MoE blocks did, so a test can check that each token went through exactly the
 * experts its router picked and no expert ran densely over all tokens.
 */
export class ExpertCallCounter {
  readonly routing: RoutingRecord[] = [];
  readonly calls: ExpertCallRecord[] = [];

  recordRouting(record: RoutingRecord): void {
    this.routing.push(record);
  }

  recordCall(record: ExpertCallRecord): void {
    this.calls.push(record);
  }

  /** How many token rows an expert of a layer processed so far. */
  tokensThrough(layer: number, expert: number): number {
    return this.calls.filter((c) => c.layer === layer && c.expert === expert).reduce((n, c) => n + c.positions.length, 0);
  }

  clear(): void {
    this.routing.length = 0;
    this.calls.length = 0;
  }
}
