import { packBits, packedBytes, unpackBits } from './bit-packing';
import { seededRandom } from './quantize.test-utils';

describe('bit packing', () => {
  it('packs low bits first, as MatMulNBits reads them', () => {
    const out = new Uint8Array(8);
    expect(packBits(Uint8Array.of(1, 2, 3, 4), 0, 4, 4, out, 0)).toBe(2);
    expect([...out.subarray(0, 2)]).toEqual([0x21, 0x43]);
    packBits(Uint8Array.of(1, 2, 3, 0), 0, 4, 2, out, 0);
    expect(out[0]).toBe(0b00_11_10_01);
    // 3 bits: 8 codes in 3 bytes, little-endian bit stream 1 | 2<<3 | 3<<6 | ... | 7<<18 = 0x1f58d1.
    expect(packBits(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 0), 0, 8, 3, out, 0)).toBe(3);
    expect([...out.subarray(0, 3)]).toEqual([0xd1, 0x58, 0x1f]);
    packBits(Uint8Array.of(200, 7), 0, 2, 8, out, 0);
    expect([...out.subarray(0, 2)]).toEqual([200, 7]);
  });

  it.each([2, 3, 4, 8])('round-trips every %i-bit code sequence exactly, at any length and offset', (bits) => {
    const rand = seededRandom(bits);
    for (const count of [1, 2, 3, 7, 8, 9, 31, 32, 33, 64, 100, 128]) {
      const src = new Uint8Array(count + 5);
      for (let i = 0; i < src.length; i++) src[i] = Math.floor(rand() * (1 << bits));
      const packed = new Uint8Array(packedBytes(count, bits) + 3).fill(0xee);
      const end = packBits(src, 5, count, bits, packed, 3);
      expect(end - 3).toBe(packedBytes(count, bits));
      const back = new Uint8Array(count);
      unpackBits(packed, 3, count, bits, back, 0);
      expect([...back]).toEqual([...src.subarray(5)]);
    }
  });

  it('writes unused trailing bits as zero', () => {
    const out = new Uint8Array(2).fill(0xff);
    packBits(Uint8Array.of(7, 7, 7), 0, 3, 3, out, 0); // 9 bits
    expect([...out]).toEqual([0xff, 0x01]);
  });
});
