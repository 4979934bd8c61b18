/** One part of a zip as it is to be stored: its bytes already packed with `method`. */
export interface PackedPart {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  crc32: number;
  uncompressedBytes: number;
  data: Uint8Array;
}

/**
 * Lays packed parts out as a zip: local headers, the central directory and its end record (UTF-8
 * names, no extra fields, no zip64). The parts' bytes are written as given, never re-packed.
 */
export function writeZipContainer(parts: readonly PackedPart[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    const data = Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(part.method, 8);
    local.writeUInt32LE(part.crc32 >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(part.uncompressedBytes, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(part.method, 10);
    central.writeUInt32LE(part.crc32 >>> 0, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(part.uncompressedBytes, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}
