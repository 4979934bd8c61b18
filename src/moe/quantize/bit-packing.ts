/**
 * Little-endian bit streams of `bits`-wide codes: code i occupies bits [i*bits, (i+1)*bits) counted
 * from the least significant bit of byte 0. For 2, 4 and 8 bits this is exactly MatMulNBits' "low bits
 * first" packing (4-bit: first code in the low nibble); for 3 bits it stores 8 codes in 3 bytes.
 * The last byte's unused high bits are written as zero.
 */

/** Bytes needed for `count` codes of `bits` bits. */
export function packedBytes(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

/** Packs src[srcOffset .. srcOffset+count) into dst from dstOffset; returns the offset after the last byte written. */
export function packBits(
  src: Uint8Array,
  srcOffset: number,
  count: number,
  bits: number,
  dst: Uint8Array,
  dstOffset: number,
): number {
  let o = dstOffset;
  if (bits === 8) {
    dst.set(src.subarray(srcOffset, srcOffset + count), o);
    return o + count;
  }
  if (bits === 4) {
    const pairs = count >> 1;
    let s = srcOffset;
    for (let i = 0; i < pairs; i++, s += 2) dst[o++] = (src[s] & 15) | ((src[s + 1] & 15) << 4);
    if (count & 1) dst[o++] = src[s] & 15;
    return o;
  }
  // Generic accumulator: a code never spans more than two bytes for bits <= 8.
  const mask = (1 << bits) - 1;
  let acc = 0;
  let filled = 0;
  const end = srcOffset + count;
  for (let s = srcOffset; s < end; s++) {
    acc |= (src[s] & mask) << filled;
    filled += bits;
    while (filled >= 8) {
      dst[o++] = acc & 255;
      acc >>>= 8;
      filled -= 8;
    }
  }
  if (filled > 0) dst[o++] = acc & 255;
  return o;
}

/** Unpacks `count` codes from src at srcOffset into dst[dstOffset ..). */
export function unpackBits(
  src: Uint8Array,
  srcOffset: number,
  count: number,
  bits: number,
  dst: Uint8Array,
  dstOffset: number,
): void {
  if (bits === 8) {
    dst.set(src.subarray(srcOffset, srcOffset + count), dstOffset);
    return;
  }
  if (bits === 4) {
    const pairs = count >> 1;
    let d = dstOffset;
    let s = srcOffset;
    for (let i = 0; i < pairs; i++, s++) {
      const byte = src[s];
      dst[d++] = byte & 15;
      dst[d++] = byte >> 4;
    }
    if (count & 1) dst[d] = src[s] & 15;
    return;
  }
  const mask = (1 << bits) - 1;
  let acc = 0;
  let filled = 0;
  let s = srcOffset;
  const end = dstOffset + count;
  for (let d = dstOffset; d < end; d++) {
    if (filled < bits) {
      acc |= src[s++] << filled;
      filled += 8;
    }
    dst[d] = acc & mask;
    acc >>>= bits;
    filled -= bits;
  }
}
