import { quantizeMatrix } from './matrix.quantizer';
import { configureQuantizerThreads, quantizerThreads, releaseQuantizerThreads } from './quantizer-pool';
import { QuantizationError } from './quantize.types';
import { gaussianMatrix, seededRandom } from './quantize.test-utils';

describe('quantizing on several threads', () => {
  afterEach(() => configureQuantizerThreads(1));
  afterAll(() => releaseQuantizerThreads());

  it.each([
    [4, 'search', true],
    [2, 'search', false],
    [3, 'rtn', false],
  ] as const)('%i-bit %s (symmetric %s) gives the same bytes as one thread', (bits, method, symmetric) => {
    const n = 300;
    const k = 2000; // 600 k weights: two threads' worth; K not a multiple of 32
    const w = gaussianMatrix(n, k, seededRandom(bits), 0.02);
    const spec = { bits, blockSize: 32, symmetric, method };
    const one = quantizeMatrix(w, n, k, spec);
    configureQuantizerThreads(2);
    expect(quantizerThreads()).toBe(2);
    const two = quantizeMatrix(w, n, k, spec);
    // Byte comparisons: jest's deep equality walks typed arrays element by element, for seconds.
    const bytes = (a: Uint8Array | Float32Array | null) => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.alloc(0));
    expect(bytes(two.data).equals(bytes(one.data))).toBe(true);
    expect(bytes(two.scales).equals(bytes(one.scales))).toBe(true);
    expect(bytes(two.zeroPoints).equals(bytes(one.zeroPoints))).toBe(true);
    expect(two.zeroPoints === null).toBe(symmetric);
    expect(two.data.buffer).toBeInstanceOf(ArrayBuffer); // not shared memory
  });

  it('rejects a bad thread count', () => {
    expect(() => configureQuantizerThreads(0)).toThrow(QuantizationError);
    expect(() => configureQuantizerThreads(1.5)).toThrow(/integer/);
  });
});
