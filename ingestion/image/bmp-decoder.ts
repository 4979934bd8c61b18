import { CorruptDocumentError, UnsupportedFormatError } from '../core/ingestion.errors';

export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  dataOffset: number;
  headerSize: number;
  colours: number;
}

/** Reads the BMP header alone: enough for the pixel limit before anything is decoded. */
export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  if (bytes.length < 54) throw new CorruptDocumentError('bmp', 'the header is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new UnsupportedFormatError('bmp-os2', 'OS/2 bitmaps are not read');
  const rawHeight = view.getInt32(22, true);
  return {
    width: view.getInt32(18, true),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel: view.getUint16(28, true),
    compression: view.getUint32(30, true),
    dataOffset: view.getUint32(10, true),
    headerSize,
    colours: view.getUint32(46, true),
  };
}

/**
 * Decodes an uncompressed BMP (1/4/8-bit palette, 24-bit, 32-bit) to packed RGB, which sharp then
 * takes as raw input: sharp (libvips) has no BMP loader.
 */
export function decodeBmp(bytes: Uint8Array): { rgb: Buffer; width: number; height: number } {
  const h = readBmpHeader(bytes);
  // BI_RGB, or BI_BITFIELDS with the usual masks for 32-bit pixels.
  if (h.compression !== 0 && !(h.compression === 3 && h.bitsPerPixel === 32)) {
    throw new UnsupportedFormatError('bmp-compressed', 'RLE-compressed bitmaps are not read; save as PNG');
  }
  if (![1, 4, 8, 24, 32].includes(h.bitsPerPixel) || h.width <= 0 || h.height <= 0) {
    throw new CorruptDocumentError('bmp', `unsupported bit depth ${h.bitsPerPixel} or size ${h.width}x${h.height}`);
  }
  const stride = Math.ceil((h.width * h.bitsPerPixel) / 32) * 4;
  if (h.dataOffset + stride * h.height > bytes.length) throw new CorruptDocumentError('bmp', 'pixel data is truncated');
  const paletteStart = 14 + h.headerSize;
  const palette = (i: number) => {
    const p = paletteStart + i * 4;
    return [bytes[p + 2], bytes[p + 1], bytes[p]];
  };
  const rgb = Buffer.alloc(h.width * h.height * 3);
  for (let y = 0; y < h.height; y++) {
    const src = h.dataOffset + (h.topDown ? y : h.height - 1 - y) * stride;
    for (let x = 0; x < h.width; x++) {
      const out = (y * h.width + x) * 3;
      let r: number, g: number, b: number;
      if (h.bitsPerPixel >= 24) {
        const p = src + x * (h.bitsPerPixel / 8);
        [r, g, b] = [bytes[p + 2], bytes[p + 1], bytes[p]];
      } else {
        const perByte = 8 / h.bitsPerPixel;
        const byte = bytes[src + Math.floor(x / perByte)];
        const shift = 8 - h.bitsPerPixel * ((x % perByte) + 1);
        [r, g, b] = palette((byte >> shift) & ((1 << h.bitsPerPixel) - 1));
      }
      rgb[out] = r;
      rgb[out + 1] = g;
      rgb[out + 2] = b;
    }
  }
  return { rgb, width: h.width, height: h.height };
}
