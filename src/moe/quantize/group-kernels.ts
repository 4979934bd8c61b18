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
  for (let j = 0; j < len; j++) {
    let q = Math.round(w[off + j] * inv) + half;
    q = q < 0 ? 0 : q > qmax ? qmax : q;
    codes[j] = q;
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
  let zp = Math.round(-lo * inv);
  zp = zp < 0 ? 0 : zp > qmax ? qmax : zp;
  res.scale = scale;
  res.zeroPoint = zp;
  for (let j = 0; j < len; j++) {
    let q = Math.round(w[off + j] * inv) + zp;
    q = q < 0 ? 0 : q > qmax ? qmax : q;
    codes[j] = q;
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

/** Candidate inverse scales tried per orientation: more where each level matters more. */
function searchSteps(bits: number): number {
  return bits <= 2 ? 16 : bits === 3 ? 14 : bits === 4 ? 10 : 4;
}

/**
 * Codes for inverse scale t and zero point zp, with the least-squares scale for those codes:
 * for fixed integer codes c, s* = Σwc / Σc² and the error is Σw² − (Σwc)²/Σc², so a candidate is
 * scored by (Σwc)²/Σc² (higher is better) without a second pass.
 */
function lsScore(w: Float32Array, off: number, len: number, t: number, zp: number, qmax: number, out: Float64Array): number {
  let sumlx = 0;
  let suml2 = 0;
  for (let i = off, end = off + len; i < end; i++) {
    const v = w[i];
    let q = Math.round(v * t) + zp;
    q = q < 0 ? 0 : q > qmax ? qmax : q;
    const c = q - zp;
    sumlx += v * c;
    suml2 += c * c;
  }
  if (suml2 === 0) return -1;
  out[0] = sumlx / suml2;
  return (sumlx * sumlx) / suml2;
}

const lsOut = new Float64Array(1);

/**
 * Scale search (llama.cpp make_qx_quants / make_qkx2_quants style): try inverse scales around the
 * RTN one, including ones that clip the extremes, and zero points anchored at the low end or the
 * centre; keep the codes whose least-squares scale gives the least squared error, refine once, and
 * fall back to RTN if, with float32 scales, it is not strictly better. Never worse than RTN.
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
  let bestScore = -1;
  let bestT = 0;
  let bestZp = 0;
  let bestScale = 0;

  const tryCandidate = (t: number, zp: number): void => {
    const score = lsScore(w, off, len, t, zp, qmax, lsOut);
    if (score > bestScore) {
      bestScore = score;
      bestT = t;
      bestZp = zp;
      bestScale = lsOut[0];
    }
  };

  if (symmetric) {
    // m is the extreme RTN mapped to code 0; try mapping it to -(half+δ) and to +(half-1+δ).
    const m = -rtnScale * half;
    for (let s = 0; s < steps; s++) {
      const delta = -0.5 + (1.5 * s) / (steps - 1);
      tryCandidate(-(half + delta) / m, half);
      if (half > 1) tryCandidate((half - 1 + delta) / m, half);
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
      let zpLow = Math.round(-lo * t);
      zpLow = zpLow < 0 ? 0 : zpLow > qmax ? qmax : zpLow;
      tryCandidate(t, zpLow);
      let zpMid = Math.round(qmax / 2 - ((lo + hi) / 2) * t);
      zpMid = zpMid < 0 ? 0 : zpMid > qmax ? qmax : zpMid;
      if (zpMid !== zpLow) tryCandidate(t, zpMid);
    }
  }
  // One refinement: re-round with the least-squares scale itself.
  if (bestScale !== 0) tryCandidate(1 / bestScale, bestZp);

  const scale = f32(bestScale);
  if (bestScore <= 0 || scale === 0) {
    codes.set(rtnCodes.subarray(0, len));
    return;
  }
  for (let j = 0; j < len; j++) {
    let q = Math.round(w[off + j] * bestT) + bestZp;
    q = q < 0 ? 0 : q > qmax ? qmax : q;
    codes[j] = q;
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
