/**
 * Per-group quantization kernels over a slice of a Float32Array. They write integer codes into a
 * caller-owned Uint8Array and the group's scale and zero point into a reused result object, so the
 * matrix loop allocates nothing per group. Dequantized value: (code - zeroPoint) * scale, with the
 * scale rounded to float32 because that is what the MatMulNBits scales tensor holds.
 */

export interface GroupResult {
  scale: number;
  zeroPoint: number;
}

const f32 = Math.fround;

/**
 * Adding and subtracting 1.5·2^52 rounds a double to the nearest integer (ties to even) for
 * |x| < 2^51. On the machines we measured, Math.round in V8's optimised code was 5-10x slower.
 * Every use clamps x to the code range first, so |x| stays tiny.
 */
const RND = 6755399441055744;

/**
 * Round to nearest, symmetric: the value of largest magnitude m maps to code 0 (i.e. -2^(bits-1)),
 * the ONNX Runtime / llama.cpp Q4_0 convention that uses all 2^bits levels. Error <= |scale|/2, except
 * values of the opposite sign within |scale|/2 of |m|, clipped by at most |scale|.
 */
export function rtnSymmetric(
  w: Float32Array,
  off: number,
  len: number,
  bits: number,
  codes: Uint8Array,
  res: GroupResult,
): void {
  const half = 1 << (bits - 1);
  const qmax = 2 * half - 1;
  let m = 0;
  let am = 0;
  for (let i = off, end = off + len; i < end; i++) {
    const v = w[i];
    const a = v < 0 ? -v : v;
    if (a > am) {
      am = a;
      m = v;
    }
  }
  res.zeroPoint = half;
  const scale = f32(m / -half);
  if (scale === 0 || !Number.isFinite(1 / scale)) {
    res.scale = 0;
    codes.fill(half, 0, len);
    return;
  }
  res.scale = scale;
  const inv = 1 / scale;
  const lo = -half;
  const hi = qmax - half;
  for (let j = 0; j < len; j++) {
    let x = w[off + j] * inv;
    x = x < lo ? lo : x > hi ? hi : x;
    codes[j] = x + RND - RND + half;
  }
}

/**
 * Round to nearest, asymmetric: the range [min(0, lo), max(0, hi)] over 2^bits - 1 steps, with an
 * integer zero point, which keeps every error within scale/2 (0 in the range keeps the zero point
 * inside [0, qmax]).
 */
export function rtnAsymmetric(
  w: Float32Array,
  off: number,
  len: number,
  bits: number,
  codes: Uint8Array,
  res: GroupResult,
): void {
  const qmax = (1 << bits) - 1;
  let lo = 0;
  let hi = 0;
  for (let i = off, end = off + len; i < end; i++) {
    const v = w[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = f32((hi - lo) / qmax);
  if (scale === 0 || !Number.isFinite(1 / scale)) {
    res.scale = 0;
    res.zeroPoint = 1 << (bits - 1);
    codes.fill(res.zeroPoint, 0, len);
    return;
  }
  const inv = 1 / scale;
  let zp = -lo * inv;
  zp = zp > qmax ? qmax : zp + RND - RND;
  res.scale = scale;
  res.zeroPoint = zp;
  const cl = -zp;
  const ch = qmax - zp;
  for (let j = 0; j < len; j++) {
    let x = w[off + j] * inv;
    x = x < cl ? cl : x > ch ? ch : x;
    codes[j] = x + RND - RND + zp;
  }
}

/** Sum of squared errors of the codes as dequantized with (scale, zeroPoint). */
export function groupSquaredError(
  w: Float32Array,
  off: number,
  len: number,
  codes: Uint8Array,
  scale: number,
  zeroPoint: number,
): number {
  let e = 0;
  for (let j = 0; j < len; j++) {
    const d = w[off + j] - f32((codes[j] - zeroPoint) * scale);
    e += d * d;
  }
  return e;
}

/** Candidate inverse scales per orientation: 8 lands within ~1% of a 3000-point brute-force optimum at 2 and 3 bits; 16 gained nothing. */
function searchSteps(bits: number): number {
  return bits <= 2 ? 8 : bits === 3 ? 8 : bits === 4 ? 6 : 4;
}

/**
 * Codes for inverse scale t and zero point zp, with the least-squares scale for those codes:
 * for fixed integer codes c, s* = Σwc / Σc² and the error is Σw² − (Σwc)²/Σc², so a candidate is
 * scored by (Σwc)²/Σc² (higher is better) without a second pass.
 */
function lsScore(w: Float32Array, off: number, len: number, t: number, zp: number, qmax: number, out: Float64Array): number {
  let sumlx = 0;
  let suml2 = 0;
  const cl = -zp;
  const ch = qmax - zp;
  for (let i = off, end = off + len; i < end; i++) {
    const v = w[i];
    let x = v * t;
    x = x < cl ? cl : x > ch ? ch : x;
    const c = x + RND - RND;
    sumlx += v * c;
    suml2 += c * c;
  }
  if (suml2 === 0) return -1;
  out[0] = sumlx / suml2;
  return (sumlx * sumlx) / suml2;
}

const lsOut = new Float64Array(1);
const REFINE_ITERATIONS = 2;

/**
 * For the codes q that (t, zp) give, the least-squares line w ≈ s·q + b; the zero point it implies,
 * -b/s rounded into the code range. Lets the asymmetric search move its offset as HQQ's alternating
 * zero/scale updates do, within MatMulNBits' integer zero points.
 */
function fittedZeroPoint(w: Float32Array, off: number, len: number, t: number, zp: number, qmax: number): number {
  let sq = 0;
  let sw = 0;
  let sqq = 0;
  let sqw = 0;
  const cl = -zp;
  const ch = qmax - zp;
  for (let i = off, end = off + len; i < end; i++) {
    const v = w[i];
    let x = v * t;
    x = x < cl ? cl : x > ch ? ch : x;
    const q = x + RND - RND + zp;
    sq += q;
    sw += v;
    sqq += q * q;
    sqw += q * v;
  }
  const det = len * sqq - sq * sq;
  if (det === 0) return zp;
  const s = (len * sqw - sq * sw) / det;
  const b = (sw - s * sq) / len;
  if (s === 0) return zp;
  const z = -b / s;
  return z < 0 ? 0 : z > qmax ? qmax : z + RND - RND;
}

// Candidate scratch, reused across groups: at most 2 candidates per step, and steps <= 8.
const candT = new Float64Array(64);
const candZ = new Int32Array(64);

/**
 * Scale search (llama.cpp make_qx_quants / make_qkx2_quants style): try inverse scales around the
 * RTN one, including ones that clip the extremes, and zero points anchored at the low end or the
 * centre; keep the codes whose least-squares scale gives the least squared error, refine up to
 * twice, and fall back to RTN if, with float32 scales, it is not strictly better. Never worse than RTN.
 */
export function searchGroup(
  w: Float32Array,
  off: number,
  len: number,
  bits: number,
  symmetric: boolean,
  codes: Uint8Array,
  rtnCodes: Uint8Array,
  res: GroupResult,
): void {
  // RTN first: it is both the baseline and the fallback.
  if (symmetric) rtnSymmetric(w, off, len, bits, rtnCodes, res);
  else rtnAsymmetric(w, off, len, bits, rtnCodes, res);
  const rtnScale = res.scale;
  const rtnZp = res.zeroPoint;
  if (rtnScale === 0) {
    codes.set(rtnCodes.subarray(0, len));
    return;
  }
  const qmax = (1 << bits) - 1;
  const half = 1 << (bits - 1);
  const steps = searchSteps(bits);
  // Candidates first, then one scoring loop: no closure over mutable locals in the hot path.
  let nc = 0;
  if (symmetric) {
    // m is the extreme RTN mapped to code 0; try mapping it to -(half+δ) and to +(half-1+δ).
    const m = -rtnScale * half;
    for (let s = 0; s < steps; s++) {
      const delta = -0.5 + (1.5 * s) / (steps - 1);
      candT[nc] = -(half + delta) / m;
      candZ[nc++] = half;
      if (half > 1) {
        candT[nc] = (half - 1 + delta) / m;
        candZ[nc++] = half;
      }
    }
  } else {
    let lo = 0;
    let hi = 0;
    for (let i = off, end = off + len; i < end; i++) {
      const v = w[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const range = hi - lo;
    for (let s = 0; s < steps; s++) {
      const t = (qmax - 0.5 + (2 * s) / (steps - 1)) / range;
      let zpLow = -lo * t;
      zpLow = zpLow > qmax ? qmax : zpLow + RND - RND;
      candT[nc] = t;
      candZ[nc++] = zpLow;
      let zpMid = qmax / 2 - ((lo + hi) / 2) * t;
      zpMid = zpMid < 0 ? 0 : zpMid > qmax ? qmax : zpMid + RND - RND;
      if (zpMid !== zpLow) {
        candT[nc] = t;
        candZ[nc++] = zpMid;
      }
    }
  }
  let bestScore = -1;
  let bestT = 0;
  let bestZp = 0;
  let bestScale = 0;
  for (let c = 0; c < nc; c++) {
    const score = lsScore(w, off, len, candT[c], candZ[c], qmax, lsOut);
    if (score > bestScore) {
      bestScore = score;
      bestT = candT[c];
      bestZp = candZ[c];
      bestScale = lsOut[0];
    }
  }
  // Refinement (Lloyd-style): re-round with the least-squares scale, and for asymmetric groups with
  // the zero point a two-parameter fit of the current codes suggests, while the error keeps falling.
  for (let iter = 0; iter < REFINE_ITERATIONS && bestScale !== 0; iter++) {
    const t = 1 / bestScale;
    let improved = false;
    let score = lsScore(w, off, len, t, bestZp, qmax, lsOut);
    if (score > bestScore) {
      bestScore = score;
      bestT = t;
      bestScale = lsOut[0];
      improved = true;
    }
    if (!symmetric) {
      const zp = fittedZeroPoint(w, off, len, bestT, bestZp, qmax);
      if (zp !== bestZp) {
        score = lsScore(w, off, len, bestT, zp, qmax, lsOut);
        if (score > bestScore) {
          bestScore = score;
          bestZp = zp;
          bestScale = lsOut[0];
          improved = true;
        }
      }
    }
    if (!improved) break;
  }

  const scale = f32(bestScale);
  if (bestScore <= 0 || scale === 0) {
    codes.set(rtnCodes.subarray(0, len));
    return;
  }
  const cl = -bestZp;
  const ch = qmax - bestZp;
  for (let j = 0; j < len; j++) {
    let x = w[off + j] * bestT;
    x = x < cl ? cl : x > ch ? ch : x;
    codes[j] = x + RND - RND + bestZp;
  }
  const searchErr = groupSquaredError(w, off, len, codes, scale, bestZp);
  const rtnErr = groupSquaredError(w, off, len, rtnCodes, rtnScale, rtnZp);
  if (searchErr < rtnErr) {
    res.scale = scale;
    res.zeroPoint = bestZp;
  } else {
    codes.set(rtnCodes.subarray(0, len));
    res.scale = rtnScale;
    res.zeroPoint = rtnZp;
  }
}
