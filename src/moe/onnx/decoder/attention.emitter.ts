import type { MoeConfig } from '../../model/moe-config';
import { attr, type OnnxGraph } from '../onnx-graph';
import { OnnxDataType } from '../onnx-proto';
import type { RopeCache } from './rope-cache';

/** Values every layer's attention shares, computed once at the top of the graph. */
export interface AttentionContext {
  heads: number;
  kvHeads: number;
  headDim: number;
  cosCache: string;
  sinCache: string;
  /** Standard path: cos/sin of this run's positions [S, D] and the causal mask [S, T]. */
  cos?: string;
  sin?: string;
  mask?: string;
  /** GroupQueryAttention path: total length - 1 as int32 [1], and total length as int32 scalar. */
  seqlensK?: string;
  totalLength?: string;
}

/**
 * Positions come from the cache length: pastLen = past_key.shape[2] (a concatenated cache) or the
 * past_sequence_length input (a shared buffer, whose shape is its capacity); this run covers
 * pastLen .. pastLen + S - 1. Standard path:
 *
 *   positions ─Gather(cos_cache)─Concat(cos,cos)─► cos [S,D]   (same for sin)
 *   Range(0,T) > positions[:,None] ─Where(-inf, 0)─► mask [S,T]
 */
export function makeAttentionContext(
  g: OnnxGraph,
  config: MoeConfig,
  rope: RopeCache,
  inputIds: string,
  pastLength: string | { shapeOf: string },
  contrib: boolean,
): AttentionContext {
  const ctx: AttentionContext = {
    heads: config.numHeads,
    kvHeads: config.numKvHeads,
    headDim: config.headDim,
    cosCache: g.floatWeight('/model/rotary/cos_cache', [rope.positions, rope.halfDim], rope.cos),
    sinCache: g.floatWeight('/model/rotary/sin_cache', [rope.positions, rope.halfDim], rope.sin),
  };
  return g.scope('model', () =>
    g.scope('positions', () => {
      const seqLen = g.op('Gather', [g.op('Shape', [inputIds]), g.int64([1], [])], { attrs: { axis: attr.int(0) } });
      const pastLen =
        typeof pastLength === 'string'
          ? pastLength
          : g.op('Gather', [g.op('Shape', [pastLength.shapeOf]), g.int64([2], [])], { attrs: { axis: attr.int(0) } });
      const total = g.op('Add', [pastLen, seqLen]);
      if (contrib) {
        const last = g.op('Sub', [total, g.int64([1], [])]);
        ctx.seqlensK = g.op('Cast', [g.op('Reshape', [last, g.int64([1])])], { attrs: { to: attr.int(OnnxDataType.INT32) } });
        ctx.totalLength = g.op('Cast', [total], { attrs: { to: attr.int(OnnxDataType.INT32) } });
        return ctx;
      }
      const one = g.int64([1], []);
      const positions = g.op('Range', [pastLen, total, one]);
      const half = (cache: string) => g.op('Gather', [cache, positions], { attrs: { axis: attr.int(0) } });
      const cosHalf = half(ctx.cosCache);
      const sinHalf = half(ctx.sinCache);
      ctx.cos = g.op('Concat', [cosHalf, cosHalf], { attrs: { axis: attr.int(-1) } });
      ctx.sin = g.op('Concat', [sinHalf, sinHalf], { attrs: { axis: attr.int(-1) } });
      const rows = g.op('Unsqueeze', [positions, g.int64([1])]);
      const cols = g.op('Unsqueeze', [g.op('Range', [g.int64([0], []), total, one]), g.int64([0])]);
      const future = g.op('Greater', [cols, rows]);
      ctx.mask = g.op('Where', [future, g.float32([-Infinity]), g.float32([0])]);
      return ctx;
    }),
  );
}

export interface AttentionResult {
  output: string;
  presentKey: string;
  presentValue: string;
}

/**
 * Grouped-query attention in standard ONNX. Queries are grouped by the KV head they share, so K and
 * V are never copied per head:
 *
 *   q [1,S,H*D] ─Reshape─Transpose─RoPE─Reshape─► [1,KV,G,S,D]
 *   k ─Reshape─Transpose─RoPE─Concat(past)─► present_k [1,KV,T,D] ─Transpose─Unsqueeze─► [1,KV,1,D,T]
 *   MatMul─Mul(1/√D)─Add(mask)─Softmax─MatMul(present_v[:, :, None])─Reshape─Transpose─Reshape─► [1,S,H*D]
 */
export function standardAttention(
  g: OnnxGraph,
  ctx: AttentionContext,
  q: string,
  k: string,
  v: string,
  pastKey: string,
  pastValue: string,
): AttentionResult {
  const { heads, kvHeads, headDim } = ctx;
  const toHeads = (x: string, n: number) =>
    g.op('Transpose', [g.op('Reshape', [x, g.int64([1, -1, n, headDim])])], { attrs: { perm: attr.ints([0, 2, 1, 3]) } });
  const qh = rope(g, ctx, toHeads(q, heads));
  const kh = rope(g, ctx, toHeads(k, kvHeads));
  const vh = toHeads(v, kvHeads);
  const presentKey = g.op('Concat', [pastKey, kh], { attrs: { axis: attr.int(2) } });
  const presentValue = g.op('Concat', [pastValue, vh], { attrs: { axis: attr.int(2) } });
  const groups = heads / kvHeads;
  const qg = g.op('Reshape', [qh, g.int64([1, kvHeads, groups, -1, headDim])]);
  const kt = g.op('Unsqueeze', [g.op('Transpose', [presentKey], { attrs: { perm: attr.ints([0, 1, 3, 2]) } }), g.int64([2])]);
  const scores = g.op('Mul', [g.op('MatMul', [qg, kt]), g.float32([1 / Math.sqrt(headDim)])]);
  const probs = g.op('Softmax', [g.op('Add', [scores, ctx.mask!])], { attrs: { axis: attr.int(-1) } });
  const context = g.op('MatMul', [probs, g.op('Unsqueeze', [presentValue, g.int64([2])])]);
  const perHead = g.op('Reshape', [context, g.int64([1, heads, -1, headDim])]);
  const merged = g.op('Transpose', [perHead], { attrs: { perm: attr.ints([0, 2, 1, 3]) } });
  const output = g.op('Reshape', [merged, g.int64([1, -1, heads * headDim])]);
  return { output, presentKey, presentValue };
}

/**
 * Rotary embedding, Hugging Face's rotate-half form: x·cos + [-x₂, x₁]·sin over the last axis.
 *
 *   x ─Split(D/2, D/2)─► x₁, x₂ ─Concat(Neg(x₂), x₁)─Mul(sin)─┐
 *   x ─Mul(cos)────────────────────────────────────────────Add
 */
function rope(g: OnnxGraph, ctx: AttentionContext, x: string): string {
  const half = ctx.headDim / 2;
  const [x1, x2] = g.node('Split', [x, g.int64([half, half])], { outputs: 2, attrs: { axis: attr.int(-1) } });
  const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { attrs: { axis: attr.int(-1) } });
  return g.op('Add', [g.op('Mul', [x, ctx.cos!]), g.op('Mul', [rotated, ctx.sin!])]);
}

/**
 * com.microsoft.GroupQueryAttention with rotary applied inside (do_rotary) from the same cos/sin
 * tables. Past and present are separate tensors (present = past ++ this run) unless the runtime
 * hands the kernel one buffer as both, which it then detects and writes in place.
 */
export function groupQueryAttention(
  g: OnnxGraph,
  ctx: AttentionContext,
  q: string,
  k: string,
  v: string,
  pastKey: string,
  pastValue: string,
): AttentionResult {
  const [output, presentKey, presentValue] = g.node(
    'GroupQueryAttention',
    [q, k, v, pastKey, pastValue, ctx.seqlensK!, ctx.totalLength!, ctx.cosCache, ctx.sinCache],
    {
      domain: 'com.microsoft',
      outputs: 3,
      attrs: {
        num_heads: attr.int(ctx.heads),
        kv_num_heads: attr.int(ctx.kvHeads),
        scale: attr.float(1 / Math.sqrt(ctx.headDim)),
        do_rotary: attr.int(1),
        rotary_interleaved: attr.int(0),
      },
    },
  );
  return { output, presentKey, presentValue };
}
