import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where one initializer's bytes were written inside the external data file. */
export interface ExternalLocation {
  location: string;
  offset: number;
  length: number;
}

/**
 * Appends initializer bytes to `model.onnx.data` as the builder produces them, so a multi-gigabyte
 * model never sits in memory at once (protobuf itself caps a message at 2 GB). Large tensors start
 * on a page boundary: ONNX Runtime can then memory-map them instead of copying.
 */
export class ExternalDataWriter {
  private readonly fd: number;
  private offset = 0;
  readonly location: string;

  constructor(readonly filePath: string) {
    this.location = path.basename(filePath);
    this.fd = fs.openSync(filePath, 'w');
  }

  write(bytes: Uint8Array): ExternalLocation {
    const align = bytes.byteLength >= 1 << 16 ? 4096 : 64;
    const padding = (align - (this.offset % align)) % align;
    if (padding > 0) {
      fs.writeSync(this.fd, new Uint8Array(padding));
      this.offset += padding;
    }
    const at = this.offset;
    let written = 0;
    while (written < bytes.byteLength) {
      written += fs.writeSync(this.fd, bytes, written, bytes.byteLength - written);
    }
    this.offset += bytes.byteLength;
    return { location: this.location, offset: at, length: bytes.byteLength };
  }

  get bytesWritten(): number {
    return this.offset;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
